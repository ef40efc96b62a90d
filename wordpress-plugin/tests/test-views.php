<?php
/**
 * What the shop shows, and the settings form's handling of secrets.
 *
 * @package LoyaltySync
 */

function test_earn_message() {
	check_same( '<div class="woocommerce-info loyalty-sync-earn" role="status">You&#039;ll earn 1,250 points with this order.</div>', loyalty_sync_earn_message_html( array( 'points' => 1250, 'earns' => true ) ), 'plural' );
	check_contains( 'earn 1 point with', loyalty_sync_earn_message_html( array( 'points' => 1 ) ), 'singular' );
	check_same( '', loyalty_sync_earn_message_html( array( 'points' => 0, 'earns' => false ) ), 'nothing to earn' );
	check_same( '', loyalty_sync_earn_message_html( array( 'points' => 5, 'earns' => false ) ), 'does not earn' );
	check_same( '', loyalty_sync_earn_message_html( null ), 'no answer' );
}

function test_member_page_url_prefers_the_api_then_the_pushed_meta() {
	check_same( 'https://loyalty.example/m/api', loyalty_sync_member_page_url( array( 'page_url' => 'https://loyalty.example/m/api' ), 'https://loyalty.example/m/meta' ), 'api' );
	check_same( 'https://loyalty.example/m/meta', loyalty_sync_member_page_url( array( 'points' => array() ), 'https://loyalty.example/m/meta' ), 'meta' );
	check_same( 'https://loyalty.example/m/meta', loyalty_sync_member_page_url( null, 'https://loyalty.example/m/meta' ), 'meta when the app is down' );
	check_same( '', loyalty_sync_member_page_url( array( 'page_url' => 'javascript:alert(1)' ), '' ), 'only http(s)' );
}

function test_points_panel_for_a_member() {
	$member = json_decode( loyalty_test_member_answer()['body'], true );
	$html   = loyalty_sync_points_panel_html( array( 'member' => $member ), 'https://loyalty.example/m/tok"en' );
	check_contains( '<strong>1,200 points to spend</strong>', $html, 'spendable' );
	check_contains( '+100 pending', $html, 'pending' );
	check_contains( 'Your tier: Silver', $html, 'tier' );
	check_contains( 'Next: Gold (150.00 EUR more to spend)', $html, 'next tier' );
	check_contains( '<progress max="100" value="40">', $html, 'progress' );
	check_contains( '<code>LOY-5OFF</code> 5.00 EUR <small>until 2027-03-01</small>', $html, 'coupon' );
	check_contains( '50 points expire in the next 30 days, the first on 2026-12-20.', $html, 'expiring' );
	check_contains( 'href="https://loyalty.example/m/tok&quot;en"', $html, 'member page link, escaped' );
}

function test_points_panel_escapes_what_the_app_answers() {
	$member = array( 'currency' => 'EUR', 'points' => array( 'spendable' => 0 ), 'tier' => array( 'name' => '<b>Gold</b>' ), 'coupons' => array( array( 'code' => '<img src=x>', 'amount' => '10', 'discount_type' => 'percent' ) ) );
	$html   = loyalty_sync_points_panel_html( array( 'member' => $member ), '' );
	check( false === strpos( $html, '<b>' ) && false === strpos( $html, '<img' ), 'no markup from the answer' );
	check_contains( '&lt;b&gt;Gold&lt;/b&gt;', $html, 'tier escaped' );
	check_contains( '10 %', $html, 'percent coupon' );
}

function test_points_panel_when_not_a_member_or_the_app_is_down() {
	check_contains( 'not a member of our loyalty program yet', loyalty_sync_points_panel_html( array( 'member' => null ), '' ), 'unknown' );
	$down = loyalty_sync_points_panel_html( null, '' );
	check_contains( 'cannot be shown right now', $down, 'down, no link' );
	$down_with_link = loyalty_sync_points_panel_html( null, 'https://loyalty.example/m/x' );
	check( false === strpos( $down_with_link, 'cannot be shown' ), 'down with a link: just the link' );
	check_contains( 'href="https://loyalty.example/m/x"', $down_with_link, 'the link' );
}

function test_menu_item_goes_before_log_out() {
	$items = array( 'dashboard' => 'Dashboard', 'orders' => 'Orders', 'customer-logout' => 'Log out' );
	check_same( array( 'dashboard', 'orders', 'loyalty-points', 'customer-logout' ), array_keys( loyalty_sync_insert_menu_item( $items, 'loyalty-points', 'My points' ) ), 'order' );
	check_same( array( 'dashboard', 'loyalty-points' ), array_keys( loyalty_sync_insert_menu_item( array( 'dashboard' => 'D' ), 'loyalty-points', 'My points' ) ), 'no log out' );
}

function test_settings_keep_the_saved_secret_when_the_field_is_left_empty() {
	$old   = array( 'app_url' => 'https://old', 'store_id' => 3, 'widget_secret' => 'old-secret', 'api_token' => 'lsk_old' );
	$clean = loyalty_sync_sanitize_settings( array( 'app_url' => ' https://loyalty.example/ ', 'store_id' => '7', 'widget_secret' => '', 'api_token' => '' ), $old );
	check_same( array( 'app_url' => 'https://loyalty.example', 'store_id' => 7, 'widget_secret' => 'old-secret', 'api_token' => 'lsk_old' ), $clean, 'kept' );
	$new = loyalty_sync_sanitize_settings( array( 'app_url' => 'javascript:alert(1)', 'store_id' => '-2x', 'widget_secret' => " new secret\n", 'api_token' => 'lsk_new' ), $old );
	check_same( array( 'app_url' => '', 'store_id' => 2, 'widget_secret' => 'newsecret', 'api_token' => 'lsk_new' ), $new, 'replaced and cleaned' );
}

function test_a_saved_secret_is_never_shown_in_full() {
	check_same( '…wxyz', loyalty_sync_mask_secret( 'abcdefghijklmnopqrstuvwxyz' ), 'last four' );
	check_same( '…', loyalty_sync_mask_secret( 'short' ), 'a short one: nothing of it' );
	check_same( '', loyalty_sync_mask_secret( '' ), 'none saved' );
}
