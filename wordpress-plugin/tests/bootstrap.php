<?php
/**
 * Stubs of the WordPress functions the plugin's pure code calls, so its
 * tests run on plain php-cli. They behave like WordPress's for the inputs the
 * tests use (escaping as WordPress escapes, transients in memory, HTTP calls
 * answered by a script the test sets and recorded).
 *
 * @package LoyaltySync
 */

define( 'ABSPATH', __DIR__ . '/' );

$GLOBALS['loyalty_test_transients'] = array();
$GLOBALS['loyalty_test_http']       = array(
	'calls'  => array(),
	'answer' => null,
);

class WP_Error {
	public $message;
	public function __construct( $code = '', $message = '' ) {
		$this->message = $message;
	}
}

function is_wp_error( $thing ) {
	return $thing instanceof WP_Error;
}

function esc_html( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}

function esc_attr( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}

function esc_url( $url ) {
	$url = (string) $url;
	if ( ! preg_match( '#^https?://#i', $url ) ) {
		return '';
	}
	return htmlspecialchars( str_replace( ' ', '%20', $url ), ENT_QUOTES, 'UTF-8' );
}

function esc_url_raw( $url, $protocols = null ) {
	$url = (string) $url;
	return preg_match( '#^https?://#i', $url ) ? str_replace( ' ', '%20', $url ) : '';
}

function __( $text, $domain = 'default' ) {
	return $text;
}

function esc_html__( $text, $domain = 'default' ) {
	return esc_html( $text );
}

function _n( $single, $plural, $number, $domain = 'default' ) {
	return 1 === (int) $number ? $single : $plural;
}

function number_format_i18n( $number, $decimals = 0 ) {
	return number_format( (float) $number, $decimals );
}

function absint( $value ) {
	return abs( (int) $value );
}

function wp_json_encode( $data ) {
	return json_encode( $data );
}

function get_transient( $key ) {
	return $GLOBALS['loyalty_test_transients'][ $key ]['value'] ?? false;
}

function set_transient( $key, $value, $ttl = 0 ) {
	$GLOBALS['loyalty_test_transients'][ $key ] = array(
		'value' => $value,
		'ttl'   => $ttl,
	);
	return true;
}

/**
 * The next HTTP answer: array('code' => int, 'body' => string), or a WP_Error.
 */
function loyalty_test_http_answers( $answer ) {
	$GLOBALS['loyalty_test_http'] = array(
		'calls'  => array(),
		'answer' => $answer,
	);
	$GLOBALS['loyalty_test_transients'] = array();
}

function loyalty_test_http_calls() {
	return $GLOBALS['loyalty_test_http']['calls'];
}

function loyalty_test_http( $method, $url, $args ) {
	$GLOBALS['loyalty_test_http']['calls'][] = array(
		'method' => $method,
		'url'    => $url,
		'args'   => $args,
	);
	return $GLOBALS['loyalty_test_http']['answer'];
}

function wp_remote_get( $url, $args = array() ) {
	return loyalty_test_http( 'GET', $url, $args );
}

function wp_remote_post( $url, $args = array() ) {
	return loyalty_test_http( 'POST', $url, $args );
}

function wp_remote_retrieve_response_code( $response ) {
	return is_array( $response ) ? $response['code'] : '';
}

function wp_remote_retrieve_body( $response ) {
	return is_array( $response ) ? $response['body'] : '';
}

$loyalty_plugin = dirname( __DIR__ ) . '/loyalty-sync/includes/';
require_once $loyalty_plugin . 'identity.php';
require_once $loyalty_plugin . 'widget-tag.php';
require_once $loyalty_plugin . 'api-client.php';
require_once $loyalty_plugin . 'views.php';
require_once $loyalty_plugin . 'settings.php';
