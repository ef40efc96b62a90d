<?php
/**
 * The signed customer identity the widget carries to the loyalty app.
 *
 * The same scheme as the app's loyalty_sync/signed_identity.py:
 *   message   = "v1|{store_id}|{customer_id}|{email lowercased, trimmed}|{ts}"
 *   signature = lowercase hex of HMAC-SHA256(widget secret, message)
 * The secret stays on this server; the browser only sees the signature, which
 * the app accepts for 24 hours.
 *
 * Pure functions: no WordPress call, so they are tested without WordPress.
 *
 * @package LoyaltySync
 */

defined( 'ABSPATH' ) || exit;

/**
 * The signed message of one customer at one time.
 *
 * @param int    $store_id    The store's id in the loyalty app.
 * @param int    $customer_id WooCommerce's customer id (the WordPress user id).
 * @param string $email       The customer's email; compared lower-cased and trimmed.
 * @param int    $ts          Unix time of signing.
 * @return string
 */
function loyalty_sync_identity_message( $store_id, $customer_id, $email, $ts ) {
	return sprintf( 'v1|%d|%d|%s|%d', $store_id, $customer_id, loyalty_sync_normal_email( $email ), $ts );
}

/**
 * The email as the app compares it: trimmed and lower-cased (Python's
 * str.lower() is Unicode-aware, so mb_strtolower where mbstring is there).
 *
 * @param string $email The customer's email.
 * @return string
 */
function loyalty_sync_normal_email( $email ) {
	$email = trim( (string) $email );
	return function_exists( 'mb_strtolower' ) ? mb_strtolower( $email, 'UTF-8' ) : strtolower( $email );
}

/**
 * The lowercase hex HMAC-SHA256 of the identity message.
 *
 * @param string $secret      The store's widget secret.
 * @param int    $store_id    The store's id in the loyalty app.
 * @param int    $customer_id WooCommerce's customer id.
 * @param string $email       The customer's email.
 * @param int    $ts          Unix time of signing.
 * @return string 64 hex digits.
 */
function loyalty_sync_sign_identity( $secret, $store_id, $customer_id, $email, $ts ) {
	return hash_hmac( 'sha256', loyalty_sync_identity_message( $store_id, $customer_id, $email, $ts ), (string) $secret );
}
