<?php
/**
 * Settings > Loyalty Sync: the app's address, the store's id, its widget
 * secret and its API token (Settings API: nonce and manage_options checked by
 * options.php). The secret and the token are never printed back: the form
 * shows their last four characters, and an empty field keeps the saved value.
 *
 * @package LoyaltySync
 */

defined( 'ABSPATH' ) || exit;

const LOYALTY_SYNC_OPTION = 'loyalty_sync_settings';
const LOYALTY_SYNC_PAGE   = 'loyalty-sync';

/**
 * The settings with nothing set.
 *
 * @return array
 */
function loyalty_sync_default_settings() {
	return array(
		'app_url'       => '',
		'store_id'      => 0,
		'widget_secret' => '',
		'api_token'     => '',
	);
}

/**
 * The saved settings, every key present.
 *
 * @return array
 */
function loyalty_sync_settings() {
	$saved = get_option( LOYALTY_SYNC_OPTION, array() );
	return array_merge( loyalty_sync_default_settings(), is_array( $saved ) ? $saved : array() );
}

/**
 * What the form submitted, made safe; an empty secret or token keeps the old one.
 *
 * @param array $input The submitted values.
 * @param array $old   The saved settings.
 * @return array
 */
function loyalty_sync_sanitize_settings( array $input, array $old ) {
	$old   = array_merge( loyalty_sync_default_settings(), $old );
	$clean = loyalty_sync_default_settings();
	$url   = trim( (string) ( $input['app_url'] ?? '' ) );
	$clean['app_url']  = '' === $url ? '' : rtrim( esc_url_raw( $url, array( 'http', 'https' ) ), '/' );
	$clean['store_id'] = absint( $input['store_id'] ?? 0 );
	foreach ( array( 'widget_secret', 'api_token' ) as $secret ) {
		$given            = trim( (string) ( $input[ $secret ] ?? '' ) );
		$clean[ $secret ] = '' === $given ? (string) $old[ $secret ] : preg_replace( '/[^\x21-\x7e]/', '', $given );
	}
	return $clean;
}

/**
 * A saved secret as the form may show it: its last four characters at most.
 *
 * @param string $secret The saved secret.
 * @return string '' when none is saved.
 */
function loyalty_sync_mask_secret( $secret ) {
	$secret = (string) $secret;
	if ( '' === $secret ) {
		return '';
	}
	return strlen( $secret ) >= 16 ? '…' . substr( $secret, -4 ) : '…';
}

/**
 * Registers the option, its section and its fields.
 */
function loyalty_sync_register_settings() {
	register_setting(
		LOYALTY_SYNC_PAGE,
		LOYALTY_SYNC_OPTION,
		array(
			'type'              => 'array',
			'sanitize_callback' => function ( $input ) {
				return loyalty_sync_sanitize_settings( is_array( $input ) ? $input : array(), loyalty_sync_settings() );
			},
			'default'           => loyalty_sync_default_settings(),
			'show_in_rest'      => false,
		)
	);
	add_settings_section( 'loyalty_sync_app', __( 'The loyalty app', 'loyalty-sync' ), '__return_false', LOYALTY_SYNC_PAGE );
	$fields = array(
		'app_url'       => __( 'App URL', 'loyalty-sync' ),
		'store_id'      => __( 'Store ID', 'loyalty-sync' ),
		'widget_secret' => __( 'Widget secret', 'loyalty-sync' ),
		'api_token'     => __( 'API token (read)', 'loyalty-sync' ),
	);
	foreach ( $fields as $key => $label ) {
		add_settings_field(
			'loyalty_sync_' . $key,
			$label,
			'loyalty_sync_render_field',
			LOYALTY_SYNC_PAGE,
			'loyalty_sync_app',
			array(
				'key'       => $key,
				'label_for' => 'loyalty_sync_' . $key,
			)
		);
	}
}

/**
 * One field of the form. Secrets are password fields left empty.
 *
 * @param array $args array('key' => setting name).
 */
function loyalty_sync_render_field( array $args ) {
	$settings = loyalty_sync_settings();
	$key      = $args['key'];
	$name     = LOYALTY_SYNC_OPTION . '[' . $key . ']';
	$id       = 'loyalty_sync_' . $key;
	if ( 'widget_secret' === $key || 'api_token' === $key ) {
		$mask = loyalty_sync_mask_secret( $settings[ $key ] );
		printf(
			'<input type="password" class="regular-text" id="%1$s" name="%2$s" value="" autocomplete="new-password" placeholder="%3$s">',
			esc_attr( $id ),
			esc_attr( $name ),
			esc_attr( '' === $mask ? '' : sprintf( /* translators: %s: the last characters of a saved secret */ __( 'saved (%s)', 'loyalty-sync' ), $mask ) )
		);
		$help = 'widget_secret' === $key
			? __( "The store's widget secret from the loyalty app. It signs the logged-in customer and never reaches the browser. Leave empty to keep the saved one.", 'loyalty-sync' )
			: __( 'A read token: flask --app wsgi api-tokens create --store NAME --scope read. Kept on this server. Leave empty to keep the saved one.', 'loyalty-sync' );
	} elseif ( 'store_id' === $key ) {
		printf( '<input type="number" min="1" class="small-text" id="%1$s" name="%2$s" value="%3$s">', esc_attr( $id ), esc_attr( $name ), esc_attr( (string) ( $settings[ $key ] ? $settings[ $key ] : '' ) ) );
		$help = __( "This store's id in the loyalty app (it is part of what the widget signs).", 'loyalty-sync' );
	} else {
		printf( '<input type="url" class="regular-text" id="%1$s" name="%2$s" value="%3$s" placeholder="https://loyalty.shop.example">', esc_attr( $id ), esc_attr( $name ), esc_url( $settings[ $key ] ) );
		$help = __( 'Where the loyalty app answers; the widget script and the API are below it.', 'loyalty-sync' );
	}
	echo '<p class="description">' . esc_html( $help ) . '</p>';
}

/**
 * Whether the app answers the token: a line for the settings page.
 *
 * @param array $settings The saved settings.
 * @return string
 */
function loyalty_sync_connection_text( array $settings ) {
	if ( ! loyalty_sync_api_configured( $settings ) ) {
		return __( 'Not connected yet: set the app URL and the API token.', 'loyalty-sync' );
	}
	$answer = loyalty_sync_api_call( $settings, '/rewards' );
	if ( null === $answer ) {
		return __( 'The app could not be reached. The shop shows no loyalty messages until it answers.', 'loyalty-sync' );
	}
	if ( 200 !== $answer['code'] ) {
		/* translators: %d: an HTTP status code */
		return sprintf( __( 'The app refused the token (HTTP %d).', 'loyalty-sync' ), $answer['code'] );
	}
	/* translators: 1: program version, 2: number of rewards */
	return sprintf( __( 'Connected: program version %1$d, %2$d rewards.', 'loyalty-sync' ), (int) ( $answer['body']['program_version'] ?? 0 ), count( (array) ( $answer['body']['rewards'] ?? array() ) ) );
}

/**
 * The settings page.
 */
function loyalty_sync_render_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'You are not allowed to change these settings.', 'loyalty-sync' ) );
	}
	$settings = loyalty_sync_settings();
	echo '<div class="wrap"><h1>' . esc_html__( 'Loyalty Sync', 'loyalty-sync' ) . '</h1>';
	echo '<p>' . esc_html( loyalty_sync_connection_text( $settings ) ) . '</p>';
	if ( ! loyalty_sync_widget_configured( $settings ) ) {
		echo '<p>' . esc_html__( 'The widget is shown once the app URL, the store ID and the widget secret are set.', 'loyalty-sync' ) . '</p>';
	}
	echo '<form method="post" action="options.php">';
	settings_fields( LOYALTY_SYNC_PAGE );
	do_settings_sections( LOYALTY_SYNC_PAGE );
	submit_button();
	echo '</form></div>';
}

/**
 * Settings > Loyalty Sync.
 */
function loyalty_sync_add_settings_page() {
	add_options_page( __( 'Loyalty Sync', 'loyalty-sync' ), __( 'Loyalty Sync', 'loyalty-sync' ), 'manage_options', LOYALTY_SYNC_PAGE, 'loyalty_sync_render_settings_page' );
}

/**
 * A "Settings" link on the Plugins screen.
 *
 * @param array $links The plugin's action links.
 * @return array
 */
function loyalty_sync_action_links( array $links ) {
	$url = admin_url( 'options-general.php?page=' . LOYALTY_SYNC_PAGE );
	array_unshift( $links, '<a href="' . esc_url( $url ) . '">' . esc_html__( 'Settings', 'loyalty-sync' ) . '</a>' );
	return $links;
}
