<?php
/**
 * The API client: requests, token only in the header, caching, silence when down.
 *
 * @package LoyaltySync
 */

function loyalty_test_member_answer() {
	return array(
		'code' => 200,
		'body' => json_encode(
			array(
				'customer_id' => 42,
				'email'       => 'anna@example.com',
				'currency'    => 'EUR',
				'points'      => array( 'balance' => 1300, 'spendable' => 1200, 'pending' => 100 ),
				'tier'        => array( 'name' => 'Silver', 'next' => array( 'name' => 'Gold', 'progress_percent' => 40, 'to_go' => array( 'spend' => '150.00' ) ) ),
				'coupons'     => array( array( 'code' => 'LOY-5OFF', 'discount_type' => 'fixed_cart', 'amount' => '5.00', 'expires' => '2027-03-01T00:00:00+00:00' ) ),
				'expiring'    => array( 'days' => 30, 'points' => 50, 'first_date' => '2026-12-20' ),
			)
		),
	);
}

function test_member_lookup_calls_the_api_with_the_token_in_the_header() {
	loyalty_test_http_answers( loyalty_test_member_answer() );
	$lookup = loyalty_sync_fetch_member( loyalty_test_settings(), 42 );
	check_same( 1200, $lookup['member']['points']['spendable'], 'member status' );
	$calls = loyalty_test_http_calls();
	check_same( 1, count( $calls ), 'one call' );
	check_same( 'GET', $calls[0]['method'], 'method' );
	check_same( 'https://loyalty.example/api/v1/members/42', $calls[0]['url'], 'url' );
	check_same( 'Bearer lsk_the-api-token-value', $calls[0]['args']['headers']['Authorization'], 'token header' );
	check( $calls[0]['args']['timeout'] <= 3, 'short timeout' );
	check_same( 0, $calls[0]['args']['redirection'], 'no redirect carries the token away' );
}

function test_member_lookup_is_cached() {
	loyalty_test_http_answers( loyalty_test_member_answer() );
	loyalty_sync_fetch_member( loyalty_test_settings(), 42 );
	$again = loyalty_sync_fetch_member( loyalty_test_settings(), 42 );
	check_same( 1, count( loyalty_test_http_calls() ), 'the second lookup is the transient' );
	check_same( 1200, $again['member']['points']['spendable'], 'cached status' );
	loyalty_sync_fetch_member( loyalty_test_settings(), 43 );
	check_same( 2, count( loyalty_test_http_calls() ), 'another customer is another call' );
	foreach ( array_keys( $GLOBALS['loyalty_test_transients'] ) as $key ) {
		check( strlen( $key ) < 172, 'transient name length' );
		check( false === strpos( $key, 'lsk_' ), 'no token in the transient name' );
	}
}

function test_unknown_member_is_told_apart_from_an_app_that_is_down() {
	loyalty_test_http_answers( array( 'code' => 404, 'body' => '{"error": {"code": "unknown_member"}}' ) );
	check_same( array( 'member' => null ), loyalty_sync_fetch_member( loyalty_test_settings(), 42 ), '404' );
	loyalty_test_http_answers( new WP_Error( 'http_request_failed', 'cURL error 7: Connection refused' ) );
	check_same( null, loyalty_sync_fetch_member( loyalty_test_settings(), 42 ), 'unreachable' );
	loyalty_test_http_answers( array( 'code' => 500, 'body' => '<html>oops</html>' ) );
	check_same( null, loyalty_sync_fetch_member( loyalty_test_settings(), 42 ), '500' );
}

function test_an_app_that_is_down_is_asked_again_only_after_a_minute() {
	loyalty_test_http_answers( new WP_Error( 'http_request_failed', 'timed out' ) );
	loyalty_sync_fetch_member( loyalty_test_settings(), 42 );
	check_same( null, loyalty_sync_fetch_member( loyalty_test_settings(), 42 ), 'still nothing' );
	check_same( 1, count( loyalty_test_http_calls() ), 'one timeout, not one per page view' );
	$kept = array_values( $GLOBALS['loyalty_test_transients'] );
	check_same( LOYALTY_SYNC_FAILED_TTL, $kept[0]['ttl'], 'failure kept a minute' );
}

function test_nothing_is_asked_without_a_token_or_a_customer() {
	loyalty_test_http_answers( loyalty_test_member_answer() );
	check_same( null, loyalty_sync_fetch_member( loyalty_test_settings( array( 'api_token' => '' ) ), 42 ), 'no token' );
	check_same( null, loyalty_sync_fetch_member( loyalty_test_settings(), 0 ), 'guest' );
	check_same( array(), loyalty_test_http_calls(), 'no call' );
}

function test_cart_lines_and_preview_body_as_the_api_reads_them() {
	$items = array(
		'a' => array( 'product_id' => 11, 'variation_id' => 0, 'quantity' => 2, 'line_total' => 39.8, 'line_tax' => 7.562 ),
		'b' => array( 'product_id' => 12, 'variation_id' => 15, 'quantity' => 1, 'line_total' => 10, 'line_tax' => 0 ),
		'c' => array( 'product_id' => 0, 'quantity' => 1, 'line_total' => 5 ),
	);
	$lines = loyalty_sync_cart_lines( $items );
	check_same(
		array(
			array( 'product_id' => 11, 'variation_id' => 0, 'quantity' => 2, 'total' => '39.80', 'total_tax' => '7.56' ),
			array( 'product_id' => 12, 'variation_id' => 15, 'quantity' => 1, 'total' => '10.00', 'total_tax' => '0.00' ),
		),
		$lines,
		'lines'
	);
	check_same( array( 'customer' => '42', 'lines' => $lines, 'shipping_total' => '4.90' ), loyalty_sync_preview_body( 42, $lines, 4.9 ), 'member body' );
	check_same( null, loyalty_sync_preview_body( 0, $lines, 0 )['customer'], 'guest body' );
}

function test_points_preview_posts_json_and_caches_per_cart() {
	loyalty_test_http_answers( array( 'code' => 200, 'body' => '{"points": 45, "earns": true}' ) );
	$body    = loyalty_sync_preview_body( 42, array( array( 'product_id' => 11, 'variation_id' => 0, 'quantity' => 1, 'total' => '45.00', 'total_tax' => '0.00' ) ), 0 );
	$preview = loyalty_sync_fetch_preview( loyalty_test_settings(), $body );
	check_same( 45, $preview['points'], 'points' );
	$calls = loyalty_test_http_calls();
	check_same( 'POST', $calls[0]['method'], 'method' );
	check_same( 'https://loyalty.example/api/v1/points-preview', $calls[0]['url'], 'url' );
	check_same( 'application/json', $calls[0]['args']['headers']['Content-Type'], 'json' );
	check_same( $body, json_decode( $calls[0]['args']['body'], true ), 'body' );
	loyalty_sync_fetch_preview( loyalty_test_settings(), $body );
	check_same( 1, count( loyalty_test_http_calls() ), 'same cart, cached' );
	$body['lines'][0]['quantity'] = 2;
	loyalty_sync_fetch_preview( loyalty_test_settings(), $body );
	check_same( 2, count( loyalty_test_http_calls() ), 'changed cart, asked again' );
}

function test_points_preview_is_silent_when_the_app_fails() {
	$body = loyalty_sync_preview_body( null, array( array( 'product_id' => 1, 'variation_id' => 0, 'quantity' => 1, 'total' => '1.00', 'total_tax' => '0.00' ) ), 0 );
	foreach ( array( new WP_Error( 'x', 'down' ), array( 'code' => 401, 'body' => '{"error": {}}' ), array( 'code' => 200, 'body' => 'not json' ) ) as $answer ) {
		loyalty_test_http_answers( $answer );
		check_same( null, loyalty_sync_fetch_preview( loyalty_test_settings(), $body ), 'no preview' );
		check_same( '', loyalty_sync_earn_message_html( loyalty_sync_fetch_preview( loyalty_test_settings(), $body ) ), 'no message' );
	}
	loyalty_test_http_answers( array( 'code' => 200, 'body' => '{"points": 1}' ) );
	check_same( null, loyalty_sync_fetch_preview( loyalty_test_settings(), loyalty_sync_preview_body( null, array(), 0 ) ), 'empty cart' );
	check_same( array(), loyalty_test_http_calls(), 'an empty cart asks nothing' );
}
