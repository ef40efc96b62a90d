<?php
/**
 * Deleting the plugin removes its settings (the secret and the token among
 * them) and its cached API answers. Nothing in the loyalty app is touched.
 *
 * @package LoyaltySync
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'loyalty_sync_settings' );

global $wpdb;
// The cached API answers are transients named loyalty_sync_<md5>.
$wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery.DirectQuery,WordPress.DB.DirectDatabaseQuery.NoCaching -- a one-off clean-up of our own transients.
	$wpdb->prepare(
		"DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s",
		$wpdb->esc_like( '_transient_loyalty_sync_' ) . '%',
		$wpdb->esc_like( '_transient_timeout_loyalty_sync_' ) . '%'
	)
);
