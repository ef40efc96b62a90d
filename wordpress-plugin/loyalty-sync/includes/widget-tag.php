<?php
/**
 * The widget's <script> tag: the embed contract of storefront/README.md.
 *
 *   <script src="{APP_URL}/widget/v1/widget.js" data-loyalty-store="{store_id}"
 *           data-loyalty-customer="{customer_id}" data-loyalty-email="{email}" data-loyalty-ts="{ts}"
 *           data-loyalty-signature="{hex}" data-loyalty-lang="{de|en}" async></script>
 *
 * Guests get no customer attributes but data-loyalty-cart-total. Only the signature
 * leaves this server, never the widget secret or the API token.
 *
 * Pure functions (they call only the esc_* helpers), tested without WordPress.
 *
 * @package LoyaltySync
 */

defined( 'ABSPATH' ) || exit;

/**
 * Whether the widget can be shown: an app URL, a store id and a widget secret.
 *
 * @param array $settings The plugin's settings (loyalty_sync_settings()).
 * @return bool
 */
function loyalty_sync_widget_configured( array $settings ) {
	return '' !== (string) ( $settings['app_url'] ?? '' )
		&& (int) ( $settings['store_id'] ?? 0 ) > 0
		&& '' !== (string) ( $settings['widget_secret'] ?? '' );
}

/**
 * The widget's language from the WordPress locale: German or English.
 *
 * @param string $locale E.g. de_DE, de_DE_formal, en_US.
 * @return string de or en.
 */
function loyalty_sync_widget_lang( $locale ) {
	return 0 === strpos( strtolower( (string) $locale ), 'de' ) ? 'de' : 'en';
}

/**
 * The data attributes of the tag, in the contract's order.
 *
 * @param array       $settings   The plugin's settings.
 * @param array|null  $customer   ['id' => int, 'email' => string] of the logged-in customer, or null for a guest.
 * @param int         $ts         Unix time of signing.
 * @param string      $lang       de or en.
 * @param string|null $cart_total A guest's cart total as a decimal string ("12.50"), or null.
 * @return array<string,string> Attribute name => value; empty when not configured.
 */
function loyalty_sync_widget_attributes( array $settings, $customer, $ts, $lang, $cart_total = null ) {
	if ( ! loyalty_sync_widget_configured( $settings ) ) {
		return array();
	}
	$store_id   = (int) $settings['store_id'];
	$attributes = array( 'data-loyalty-store' => (string) $store_id );
	$is_member  = is_array( $customer ) && (int) ( $customer['id'] ?? 0 ) > 0 && '' !== (string) ( $customer['email'] ?? '' );
	if ( $is_member ) {
		$customer_id                  = (int) $customer['id'];
		$email                        = loyalty_sync_normal_email( $customer['email'] );
		$attributes['data-loyalty-customer']  = (string) $customer_id;
		$attributes['data-loyalty-email']     = $email;
		$attributes['data-loyalty-ts']        = (string) (int) $ts;
		$attributes['data-loyalty-signature'] = loyalty_sync_sign_identity( $settings['widget_secret'], $store_id, $customer_id, $email, (int) $ts );
	}
	$attributes['data-loyalty-lang'] = 'de' === $lang ? 'de' : 'en';
	if ( ! $is_member && null !== $cart_total ) {
		$attributes['data-loyalty-cart-total'] = (string) $cart_total;
	}
	return $attributes;
}

/**
 * The widget script's address in the app.
 *
 * @param string $app_url The app's base URL, e.g. https://loyalty.shop.example.
 * @return string
 */
function loyalty_sync_widget_src( $app_url ) {
	return rtrim( (string) $app_url, '/' ) . '/widget/v1/widget.js';
}

/**
 * The whole <script> tag, every value escaped.
 *
 * @param string $app_url    The app's base URL.
 * @param array  $attributes From loyalty_sync_widget_attributes().
 * @return string Empty when there are no attributes (not configured).
 */
function loyalty_sync_widget_tag( $app_url, array $attributes ) {
	if ( ! $attributes ) {
		return '';
	}
	$html = '<script src="' . esc_url( loyalty_sync_widget_src( $app_url ) ) . '"';
	foreach ( $attributes as $name => $value ) {
		$html .= ' ' . esc_attr( $name ) . '="' . esc_attr( $value ) . '"';
	}
	return $html . ' async></script>';
}
