<?php
/**
 * The signing scheme, against a value made by the app's signed_identity.py.
 *
 * @package LoyaltySync
 */

function test_identity_message_has_the_v1_layout_with_the_email_trimmed_and_lowercased() {
	check_same( 'v1|7|42|anna@example.com|1767225600', loyalty_sync_identity_message( 7, 42, "  Anna@Example.COM \n", 1767225600 ), 'message' );
}

function test_signature_equals_the_python_signers() {
	// sign_identity('s3cret-widget-key', 7, 42, 'anna@example.com', 1767225600) in loyalty_sync/signed_identity.py.
	$python = '86617bc6e8d7a196034b292b05c718b26626c726d98ee23671890c62493630b7';
	check_same( $python, loyalty_sync_sign_identity( 's3cret-widget-key', 7, 42, 'Anna@Example.com', 1767225600 ), 'signature' );
}

function test_another_secret_or_field_signs_differently() {
	$base = loyalty_sync_sign_identity( 'k', 7, 42, 'a@b.c', 100 );
	check( loyalty_sync_sign_identity( 'k2', 7, 42, 'a@b.c', 100 ) !== $base, 'secret' );
	check( loyalty_sync_sign_identity( 'k', 8, 42, 'a@b.c', 100 ) !== $base, 'store' );
	check( loyalty_sync_sign_identity( 'k', 7, 43, 'a@b.c', 100 ) !== $base, 'customer' );
	check( loyalty_sync_sign_identity( 'k', 7, 42, 'x@b.c', 100 ) !== $base, 'email' );
	check( loyalty_sync_sign_identity( 'k', 7, 42, 'a@b.c', 101 ) !== $base, 'ts' );
	check( 1 === preg_match( '/^[0-9a-f]{64}$/', $base ), 'lowercase hex' );
}
