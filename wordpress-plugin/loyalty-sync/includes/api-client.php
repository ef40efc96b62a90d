<?php
/**
 * The loyalty app's storefront REST API, called from this server only.
 *
 * The token stays here (never in the page). Every call has a short timeout,
 * follows no redirect (the token would go along), and its answer is cached in
 * a transient; a failed call is cached too, for a minute, so an app that is
 * down costs one timeout a minute rather than one per page view. Whoever
 * calls these shows nothing when they answer null.
 *
 * Only wp_remote_*, is_wp_error, wp_json_encode and the transient functions
 * are used: the tests stub them.
 *
 * @package LoyaltySync
 */

defined( 'ABSPATH' ) || exit;

const LOYALTY_SYNC_API_TIMEOUT    = 2;
const LOYALTY_SYNC_MEMBER_TTL     = 60;
const LOYALTY_SYNC_PREVIEW_TTL    = 300;
const LOYALTY_SYNC_FAILED_TTL     = 60;
const LOYALTY_SYNC_TRANSIENT_STEM = 'loyalty_sync_';

/**
 * Whether the API can be called: an app URL and a token.
 *
 * @param array $settings The plugin's settings.
 * @return bool
 */
function loyalty_sync_api_configured( array $settings ) {
	return '' !== (string) ( $settings['app_url'] ?? '' ) && '' !== (string) ( $settings['api_token'] ?? '' );
}

/**
 * An API address, e.g. https://loyalty.example/api/v1/points-preview.
 *
 * @param string $app_url The app's base URL.
 * @param string $path    The path below /api/v1, with its leading slash.
 * @return string
 */
function loyalty_sync_api_url( $app_url, $path ) {
	return rtrim( (string) $app_url, '/' ) . '/api/v1' . $path;
}

/**
 * The arguments of wp_remote_get/wp_remote_post for one call.
 *
 * @param string     $token The store's API token.
 * @param array|null $body  A JSON body, or null for a GET.
 * @return array
 */
function loyalty_sync_api_request_args( $token, $body = null ) {
	$args = array(
		'timeout'     => LOYALTY_SYNC_API_TIMEOUT,
		'redirection' => 0,
		'headers'     => array(
			'Authorization' => 'Bearer ' . $token,
			'Accept'        => 'application/json',
		),
	);
	if ( null !== $body ) {
		$args['headers']['Content-Type'] = 'application/json';
		$args['body']                    = wp_json_encode( $body );
	}
	return $args;
}

/**
 * One call: array('code' => HTTP status, 'body' => decoded JSON object or null),
 * or null when the app could not be reached.
 *
 * @param array      $settings The plugin's settings.
 * @param string     $path     The path below /api/v1.
 * @param array|null $body     A JSON body (POST), or null (GET).
 * @return array|null
 */
function loyalty_sync_api_call( array $settings, $path, $body = null ) {
	$url  = loyalty_sync_api_url( $settings['app_url'], $path );
	$args = loyalty_sync_api_request_args( $settings['api_token'], $body );
	$response = null === $body ? wp_remote_get( $url, $args ) : wp_remote_post( $url, $args );
	if ( is_wp_error( $response ) ) {
		return null;
	}
	$decoded = json_decode( (string) wp_remote_retrieve_body( $response ), true );
	return array(
		'code' => (int) wp_remote_retrieve_response_code( $response ),
		'body' => is_array( $decoded ) ? $decoded : null,
	);
}

/**
 * A cached value: $fetch() is called only when the transient is missing.
 * $fetch answers array('value' => ..., 'ttl' => seconds); a null value is a
 * failure and kept LOYALTY_SYNC_FAILED_TTL seconds.
 *
 * @param string   $key   Transient name (below 172 characters).
 * @param callable $fetch Makes the value.
 * @return mixed The value, or null.
 */
function loyalty_sync_cached( $key, callable $fetch ) {
	$kept = get_transient( $key );
	if ( is_array( $kept ) && array_key_exists( 'value', $kept ) ) {
		return $kept['value'];
	}
	$made = $fetch();
	$ttl  = null === $made['value'] ? LOYALTY_SYNC_FAILED_TTL : (int) $made['ttl'];
	set_transient( $key, array( 'value' => $made['value'] ), $ttl );
	return $made['value'];
}

/**
 * The transient name of one call: the app, the store and what was asked.
 *
 * @param array  $settings The plugin's settings.
 * @param string $what     E.g. "member|42" or a request body.
 * @return string
 */
function loyalty_sync_cache_key( array $settings, $what ) {
	return LOYALTY_SYNC_TRANSIENT_STEM . md5( $settings['app_url'] . '|' . $settings['api_token'] . '|' . $what );
}

/**
 * A customer's member status (GET /members/{ref}).
 *
 * @param array $settings    The plugin's settings.
 * @param int   $customer_id WooCommerce's customer id.
 * @return array|null array('member' => status) for a member, array('member' => null)
 *                    when the app knows no such member, null when it could not answer.
 */
function loyalty_sync_fetch_member( array $settings, $customer_id ) {
	if ( ! loyalty_sync_api_configured( $settings ) || (int) $customer_id < 1 ) {
		return null;
	}
	$key = loyalty_sync_cache_key( $settings, 'member|' . (int) $customer_id );
	return loyalty_sync_cached(
		$key,
		function () use ( $settings, $customer_id ) {
			$answer = loyalty_sync_api_call( $settings, '/members/' . rawurlencode( (string) (int) $customer_id ) );
			if ( null !== $answer && 200 === $answer['code'] && is_array( $answer['body'] ) ) {
				return array( 'value' => array( 'member' => $answer['body'] ), 'ttl' => LOYALTY_SYNC_MEMBER_TTL );
			}
			if ( null !== $answer && 404 === $answer['code'] ) {
				return array( 'value' => array( 'member' => null ), 'ttl' => LOYALTY_SYNC_MEMBER_TTL );
			}
			return array( 'value' => null, 'ttl' => 0 );
		}
	);
}

/**
 * A money amount as the API reads it: a decimal string with two places.
 * WooCommerce keeps cart amounts as floats; this only formats them.
 *
 * @param mixed $amount A number or numeric string.
 * @return string E.g. "12.50".
 */
function loyalty_sync_decimal( $amount ) {
	return number_format( (float) $amount, 2, '.', '' );
}

/**
 * The preview's lines from WooCommerce's cart items (WC()->cart->get_cart()).
 *
 * @param array $items Cart items with product_id, variation_id, quantity, line_total, line_tax.
 * @return array
 */
function loyalty_sync_cart_lines( array $items ) {
	$lines = array();
	foreach ( $items as $item ) {
		$quantity = (int) ( $item['quantity'] ?? 0 );
		if ( $quantity < 1 || (int) ( $item['product_id'] ?? 0 ) < 1 ) {
			continue;
		}
		$lines[] = array(
			'product_id'   => (int) $item['product_id'],
			'variation_id' => (int) ( $item['variation_id'] ?? 0 ),
			'quantity'     => $quantity,
			'total'        => loyalty_sync_decimal( max( 0, (float) ( $item['line_total'] ?? 0 ) ) ),
			'total_tax'    => loyalty_sync_decimal( max( 0, (float) ( $item['line_tax'] ?? 0 ) ) ),
		);
	}
	return $lines;
}

/**
 * The body of POST /points-preview.
 *
 * @param int|null $customer_id    The logged-in customer, or null for a guest.
 * @param array    $lines          From loyalty_sync_cart_lines().
 * @param mixed    $shipping_total The cart's shipping total without tax.
 * @return array
 */
function loyalty_sync_preview_body( $customer_id, array $lines, $shipping_total ) {
	return array(
		'customer'       => $customer_id ? (string) (int) $customer_id : null,
		'lines'          => $lines,
		'shipping_total' => loyalty_sync_decimal( max( 0, (float) $shipping_total ) ),
	);
}

/**
 * The points a cart would earn (POST /points-preview), or null.
 *
 * @param array $settings The plugin's settings.
 * @param array $body     From loyalty_sync_preview_body().
 * @return array|null The preview answer.
 */
function loyalty_sync_fetch_preview( array $settings, array $body ) {
	if ( ! loyalty_sync_api_configured( $settings ) || empty( $body['lines'] ) ) {
		return null;
	}
	$key = loyalty_sync_cache_key( $settings, 'preview|' . wp_json_encode( $body ) );
	return loyalty_sync_cached(
		$key,
		function () use ( $settings, $body ) {
			$answer = loyalty_sync_api_call( $settings, '/points-preview', $body );
			if ( null !== $answer && 200 === $answer['code'] && isset( $answer['body']['points'] ) ) {
				return array( 'value' => $answer['body'], 'ttl' => LOYALTY_SYNC_PREVIEW_TTL );
			}
			return array( 'value' => null, 'ttl' => 0 );
		}
	);
}
