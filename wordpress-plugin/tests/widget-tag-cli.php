<?php
/**
 * Prints the widget tag the plugin would inject, for the cross-language test
 * (tests/wordpress_plugin/): the Python verifier reads its attributes.
 *
 * Usage: echo '{"app_url": ..., "store_id": 7, "widget_secret": ..., "customer_id": 42,
 *               "email": ..., "ts": 1767225600, "lang": "en"}' | php widget-tag-cli.php
 *
 * @package LoyaltySync
 */

require __DIR__ . '/bootstrap.php';

$given    = json_decode( (string) stream_get_contents( STDIN ), true );
$settings = array(
	'app_url'       => $given['app_url'],
	'store_id'      => $given['store_id'],
	'widget_secret' => $given['widget_secret'],
	'api_token'     => '',
);
$customer = isset( $given['customer_id'] ) ? array( 'id' => $given['customer_id'], 'email' => $given['email'] ) : null;
$tag      = loyalty_sync_widget_tag( $settings['app_url'], loyalty_sync_widget_attributes( $settings, $customer, (int) $given['ts'], $given['lang'] ?? 'en', $given['cart_total'] ?? null ) );
echo $tag, "\n";
