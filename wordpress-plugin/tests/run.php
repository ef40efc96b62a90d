<?php
/**
 * A tiny test runner: every function named test_* in tests/test-*.php runs;
 * a failed check throws. Closes with "N passed, N failed" and exits 1 on any
 * failure. No PHPUnit: the plugin's tests run on Debian's php-cli alone.
 *
 * Usage: php wordpress-plugin/tests/run.php
 *
 * @package LoyaltySync
 */

require __DIR__ . '/bootstrap.php';

class Loyalty_Test_Failure extends Exception {}

function check( $condition, $what ) {
	if ( ! $condition ) {
		throw new Loyalty_Test_Failure( $what );
	}
}

function check_same( $expected, $actual, $what ) {
	if ( $expected !== $actual ) {
		throw new Loyalty_Test_Failure( $what . "\n    expected: " . var_export( $expected, true ) . "\n    actual:   " . var_export( $actual, true ) );
	}
}

function check_contains( $needle, $haystack, $what ) {
	check( false !== strpos( (string) $haystack, (string) $needle ), $what . "\n    no " . var_export( $needle, true ) . ' in ' . var_export( $haystack, true ) );
}

$before = get_defined_functions()['user'];
foreach ( glob( __DIR__ . '/test-*.php' ) as $file ) {
	require $file;
}
$tests = array_filter(
	array_diff( get_defined_functions()['user'], $before ),
	function ( $name ) {
		return 0 === strpos( $name, 'test_' );
	}
);

$passed = 0;
$failed = 0;
foreach ( $tests as $test ) {
	try {
		$test();
		++$passed;
		echo "ok   $test\n";
	} catch ( Throwable $e ) {
		++$failed;
		echo "FAIL $test: " . $e->getMessage() . "\n";
	}
}
echo "$passed passed, $failed failed\n";
exit( $failed || ! $passed ? 1 : 0 );
