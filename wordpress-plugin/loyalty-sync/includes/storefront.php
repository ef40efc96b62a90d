<?php
/**
 * The shop's side: the widget tag in the footer, the My points tab, the
 * dashboard line with the member page link, and "you'll earn N points" on the
 * cart and the checkout (classic templates and the cart/checkout blocks).
 * These read WordPress and WooCommerce; what they print is made by the pure
 * functions of views.php and widget-tag.php.
 *
 * @package LoyaltySync
 */

defined( 'ABSPATH' ) || exit;

const LOYALTY_SYNC_ENDPOINT = 'loyalty-points';

/**
 * The logged-in customer as the widget signs it, or null for a guest.
 *
 * @return array|null array('id' => int, 'email' => string).
 */
function loyalty_sync_current_customer() {
	if ( ! is_user_logged_in() ) {
		return null;
	}
	$user = wp_get_current_user();
	if ( ! $user || ! $user->ID || '' === (string) $user->user_email ) {
		return null;
	}
	return array(
		'id'    => (int) $user->ID,
		'email' => (string) $user->user_email,
	);
}

/**
 * WooCommerce's cart, or null outside the shop (admin, REST, cron).
 *
 * @return WC_Cart|null
 */
function loyalty_sync_cart() {
	return function_exists( 'WC' ) && WC() && isset( WC()->cart ) && WC()->cart ? WC()->cart : null;
}

/**
 * Prints the widget tag (wp_footer), only when the plugin is configured.
 */
function loyalty_sync_print_widget() {
	$settings = loyalty_sync_settings();
	if ( ! loyalty_sync_widget_configured( $settings ) ) {
		return;
	}
	$customer   = loyalty_sync_current_customer();
	$cart       = loyalty_sync_cart();
	$cart_total = null === $customer && $cart ? loyalty_sync_decimal( $cart->get_cart_contents_total() ) : null;
	$attributes = loyalty_sync_widget_attributes( $settings, $customer, time(), loyalty_sync_widget_lang( determine_locale() ), $cart_total );
	echo loyalty_sync_widget_tag( $settings['app_url'], $attributes ) . "\n"; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- every value is escaped in loyalty_sync_widget_tag().
}

/**
 * The "you'll earn N points" notice for the current cart, or ''.
 *
 * @return string
 */
function loyalty_sync_current_earn_html() {
	$cart = loyalty_sync_cart();
	if ( ! $cart || $cart->is_empty() ) {
		return '';
	}
	$lines = loyalty_sync_cart_lines( $cart->get_cart() );
	$body  = loyalty_sync_preview_body( get_current_user_id(), $lines, $cart->get_shipping_total() );
	return loyalty_sync_earn_message_html( loyalty_sync_fetch_preview( loyalty_sync_settings(), $body ) );
}

/**
 * Prints the notice (classic cart and checkout templates).
 */
function loyalty_sync_print_earn_message() {
	echo loyalty_sync_current_earn_html(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in loyalty_sync_earn_message_html().
}

/**
 * The notice above the cart and checkout blocks.
 *
 * @param string $content The block's HTML.
 * @return string
 */
function loyalty_sync_prepend_earn_message( $content ) {
	return loyalty_sync_current_earn_html() . $content;
}

/**
 * The logged-in customer's member status lookup, or null.
 *
 * @return array|null See loyalty_sync_fetch_member().
 */
function loyalty_sync_current_member_lookup() {
	$customer = loyalty_sync_current_customer();
	return $customer ? loyalty_sync_fetch_member( loyalty_sync_settings(), $customer['id'] ) : null;
}

/**
 * The logged-in customer's member page, or ''.
 *
 * @param array|null $lookup From loyalty_sync_current_member_lookup().
 * @return string
 */
function loyalty_sync_current_page_url( $lookup ) {
	$meta = is_user_logged_in() ? (string) get_user_meta( get_current_user_id(), 'loyalty_page_url', true ) : '';
	return loyalty_sync_member_page_url( is_array( $lookup ) ? $lookup['member'] : null, $meta );
}

/**
 * The My points tab's content.
 */
function loyalty_sync_print_points_tab() {
	$lookup = loyalty_sync_current_member_lookup();
	echo loyalty_sync_points_panel_html( $lookup, loyalty_sync_current_page_url( $lookup ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in loyalty_sync_points_panel_html().
}

/**
 * One line on the My Account dashboard: the balance and the member page.
 */
function loyalty_sync_print_dashboard_line() {
	$lookup = loyalty_sync_current_member_lookup();
	$member = is_array( $lookup ) ? $lookup['member'] : null;
	if ( ! is_array( $member ) ) {
		return;
	}
	$spendable = (int) ( $member['points']['spendable'] ?? 0 );
	$tab       = wc_get_account_endpoint_url( LOYALTY_SYNC_ENDPOINT );
	/* translators: %s: a number of points */
	$text = sprintf( _n( 'You have %s point to spend.', 'You have %s points to spend.', $spendable, 'loyalty-sync' ), number_format_i18n( $spendable ) );
	echo '<p class="loyalty-sync-dashboard">' . esc_html( $text ) . ' <a href="' . esc_url( $tab ) . '">' . esc_html__( 'My points', 'loyalty-sync' ) . '</a></p>';
}

/**
 * The tab's endpoint, for WordPress's rewrite rules.
 */
function loyalty_sync_add_endpoint() {
	add_rewrite_endpoint( LOYALTY_SYNC_ENDPOINT, EP_ROOT | EP_PAGES );
}

/**
 * The endpoint among WooCommerce's account query vars (is_wc_endpoint_url, title).
 *
 * @param array $vars Query var => endpoint.
 * @return array
 */
function loyalty_sync_query_vars( array $vars ) {
	$vars[ LOYALTY_SYNC_ENDPOINT ] = LOYALTY_SYNC_ENDPOINT;
	return $vars;
}

/**
 * My Account's menu with "My points".
 *
 * @param array $items Endpoint => label.
 * @return array
 */
function loyalty_sync_account_menu( array $items ) {
	return loyalty_sync_insert_menu_item( $items, LOYALTY_SYNC_ENDPOINT, __( 'My points', 'loyalty-sync' ) );
}

/**
 * The tab's page title.
 *
 * @return string
 */
function loyalty_sync_endpoint_title() {
	return __( 'My points', 'loyalty-sync' );
}

/**
 * Registers the shop's hooks.
 */
function loyalty_sync_register_storefront_hooks() {
	add_action( 'init', 'loyalty_sync_add_endpoint' );
	add_action( 'wp_footer', 'loyalty_sync_print_widget' );
	add_filter( 'woocommerce_get_query_vars', 'loyalty_sync_query_vars' );
	add_filter( 'woocommerce_account_menu_items', 'loyalty_sync_account_menu' );
	add_filter( 'woocommerce_endpoint_' . LOYALTY_SYNC_ENDPOINT . '_title', 'loyalty_sync_endpoint_title' );
	add_action( 'woocommerce_account_' . LOYALTY_SYNC_ENDPOINT . '_endpoint', 'loyalty_sync_print_points_tab' );
	add_action( 'woocommerce_account_dashboard', 'loyalty_sync_print_dashboard_line' );
	add_action( 'woocommerce_before_cart', 'loyalty_sync_print_earn_message' );
	add_action( 'woocommerce_review_order_before_payment', 'loyalty_sync_print_earn_message' );
	add_filter( 'render_block_woocommerce/cart', 'loyalty_sync_prepend_earn_message' );
	add_filter( 'render_block_woocommerce/checkout', 'loyalty_sync_prepend_earn_message' );
}
