<?php
/**
 * The widget tag: the embed contract, escaping, guests, and no secret in it.
 *
 * @package LoyaltySync
 */

function loyalty_test_settings( array $changes = array() ) {
	return array_merge(
		array(
			'app_url'       => 'https://loyalty.example/',
			'store_id'      => 7,
			'widget_secret' => 'the-widget-secret-value',
			'api_token'     => 'lsk_the-api-token-value',
		),
		$changes
	);
}

function test_member_tag_follows_the_embed_contract() {
	$settings   = loyalty_test_settings();
	$attributes = loyalty_sync_widget_attributes( $settings, array( 'id' => 42, 'email' => ' Anna@Example.com' ), 1767225600, 'de', '9.99' );
	check_same( array( 'data-loyalty-store', 'data-loyalty-customer', 'data-loyalty-email', 'data-loyalty-ts', 'data-loyalty-signature', 'data-loyalty-lang' ), array_keys( $attributes ), 'attributes and their order' );
	check_same( 'anna@example.com', $attributes['data-loyalty-email'], 'email as signed' );
	check_same( loyalty_sync_sign_identity( 'the-widget-secret-value', 7, 42, 'anna@example.com', 1767225600 ), $attributes['data-loyalty-signature'], 'signature' );
	$tag = loyalty_sync_widget_tag( $settings['app_url'], $attributes );
	check_same(
		'<script src="https://loyalty.example/widget/v1/widget.js" data-loyalty-store="7" data-loyalty-customer="42" data-loyalty-email="anna@example.com" data-loyalty-ts="1767225600" data-loyalty-signature="' . $attributes['data-loyalty-signature'] . '" data-loyalty-lang="de" async></script>',
		$tag,
		'tag'
	);
}

function test_no_secret_and_no_token_reach_the_page() {
	$settings = loyalty_test_settings();
	foreach ( array( array( 'id' => 42, 'email' => 'a@b.c' ), null ) as $customer ) {
		$tag = loyalty_sync_widget_tag( $settings['app_url'], loyalty_sync_widget_attributes( $settings, $customer, 1, 'en', '1.00' ) );
		check( false === strpos( $tag, 'the-widget-secret-value' ), 'secret in the tag' );
		check( false === strpos( $tag, 'the-api-token-value' ), 'token in the tag' );
	}
}

function test_guest_gets_no_customer_attributes_but_the_cart_total() {
	$attributes = loyalty_sync_widget_attributes( loyalty_test_settings(), null, 1767225600, 'en', '12.50' );
	check_same(
		array(
			'data-loyalty-store'      => '7',
			'data-loyalty-lang'       => 'en',
			'data-loyalty-cart-total' => '12.50',
		),
		$attributes,
		'guest'
	);
}

function test_nothing_is_injected_until_configured() {
	foreach ( array( 'app_url' => '', 'store_id' => 0, 'widget_secret' => '' ) as $key => $empty ) {
		$attributes = loyalty_sync_widget_attributes( loyalty_test_settings( array( $key => $empty ) ), null, 1, 'en' );
		check_same( array(), $attributes, "without $key" );
		check_same( '', loyalty_sync_widget_tag( 'https://x', $attributes ), "no tag without $key" );
	}
}

function test_values_are_escaped_in_the_tag() {
	$tag = loyalty_sync_widget_tag( 'https://loyalty.example', array( 'data-loyalty-email' => 'a"><script>@b.c' ) );
	check_contains( 'data-loyalty-email="a&quot;&gt;&lt;script&gt;@b.c"', $tag, 'escaped attribute' );
	check_contains( 'src=""', loyalty_sync_widget_tag( 'javascript:alert(1)//', array( 'data-loyalty-store' => '1' ) ), 'no javascript: source' );
}

function test_language_from_the_locale() {
	check_same( 'de', loyalty_sync_widget_lang( 'de_DE' ), 'de_DE' );
	check_same( 'de', loyalty_sync_widget_lang( 'de_DE_formal' ), 'formal' );
	check_same( 'en', loyalty_sync_widget_lang( 'en_US' ), 'en_US' );
	check_same( 'en', loyalty_sync_widget_lang( 'fr_FR' ), 'anything else' );
}
