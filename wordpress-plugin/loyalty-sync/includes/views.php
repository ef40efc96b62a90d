<?php
/**
 * What the plugin prints, as functions of the API's answers: the cart's
 * "you'll earn N points", the My points tab and the member page link.
 * Every value is escaped here; nothing is printed when there is nothing to say.
 *
 * Only translation and esc_* helpers are called: the tests stub them.
 *
 * @package LoyaltySync
 */

defined( 'ABSPATH' ) || exit;

/**
 * The "you'll earn N points" notice, or '' (no answer, nothing to earn).
 *
 * @param array|null $preview The points preview answer.
 * @return string
 */
function loyalty_sync_earn_message_html( $preview ) {
	$points = is_array( $preview ) ? (int) ( $preview['points'] ?? 0 ) : 0;
	if ( $points < 1 || ( isset( $preview['earns'] ) && ! $preview['earns'] ) ) {
		return '';
	}
	/* translators: %s: a number of points */
	$text = sprintf( _n( "You'll earn %s point with this order.", "You'll earn %s points with this order.", $points, 'loyalty-sync' ), number_format_i18n( $points ) );
	return '<div class="woocommerce-info loyalty-sync-earn" role="status">' . esc_html( $text ) . '</div>';
}

/**
 * The member's personal page: the API's page_url when it answers one, else
 * the loyalty_page_url customer meta the app pushes. Only http(s) addresses.
 *
 * @param array|null $member   The member status answer, or null.
 * @param string     $meta_url The loyalty_page_url user meta ('' when none).
 * @return string '' when there is none.
 */
function loyalty_sync_member_page_url( $member, $meta_url ) {
	foreach ( array( is_array( $member ) ? ( $member['page_url'] ?? '' ) : '', $meta_url ) as $candidate ) {
		$candidate = trim( (string) $candidate );
		if ( preg_match( '#^https?://#i', $candidate ) ) {
			return $candidate;
		}
	}
	return '';
}

/**
 * An amount with its currency, e.g. "5.00 EUR".
 *
 * @param string $amount   A decimal string.
 * @param string $currency ISO code.
 * @return string
 */
function loyalty_sync_money( $amount, $currency ) {
	return trim( $amount . ' ' . $currency );
}

/**
 * What is missing to the next tier, in words.
 *
 * @param array  $to_go    {spend|orders|points: what is missing}.
 * @param string $currency ISO code.
 * @return string
 */
function loyalty_sync_to_go_text( array $to_go, $currency ) {
	$parts = array();
	foreach ( $to_go as $metric => $missing ) {
		if ( 'spend' === $metric ) {
			/* translators: %s: an amount of money */
			$parts[] = sprintf( __( '%s more to spend', 'loyalty-sync' ), loyalty_sync_money( (string) $missing, $currency ) );
		} elseif ( 'orders' === $metric ) {
			/* translators: %s: a number of orders */
			$parts[] = sprintf( _n( '%s more order', '%s more orders', (int) $missing, 'loyalty-sync' ), number_format_i18n( (int) $missing ) );
		} elseif ( 'points' === $metric ) {
			/* translators: %s: a number of points */
			$parts[] = sprintf( _n( '%s more point', '%s more points', (int) $missing, 'loyalty-sync' ), number_format_i18n( (int) $missing ) );
		}
	}
	return implode( ', ', $parts );
}

/**
 * One available coupon as a list item.
 *
 * @param array  $coupon   An available coupon of the member status.
 * @param string $currency ISO code.
 * @return string
 */
function loyalty_sync_coupon_html( array $coupon, $currency ) {
	$value = 'percent' === ( $coupon['discount_type'] ?? '' )
		? ( $coupon['amount'] ?? '' ) . ' %'
		: loyalty_sync_money( (string) ( $coupon['amount'] ?? '' ), $currency );
	$html  = '<li><code>' . esc_html( $coupon['code'] ?? '' ) . '</code> ' . esc_html( $value );
	if ( ! empty( $coupon['expires'] ) ) {
		/* translators: %s: a date */
		$html .= ' <small>' . esc_html( sprintf( __( 'until %s', 'loyalty-sync' ), substr( (string) $coupon['expires'], 0, 10 ) ) ) . '</small>';
	}
	return $html . '</li>';
}

/**
 * The link to the member page, or ''.
 *
 * @param string $page_url From loyalty_sync_member_page_url().
 * @return string
 */
function loyalty_sync_page_link_html( $page_url ) {
	if ( '' === $page_url ) {
		return '';
	}
	return '<p class="loyalty-sync-page-link"><a class="button" href="' . esc_url( $page_url ) . '">'
		. esc_html__( 'Your member page: points, coupons and history', 'loyalty-sync' ) . '</a></p>';
}

/**
 * The My points tab.
 *
 * @param array|null $lookup   From loyalty_sync_fetch_member(): array('member' => status|null) or null.
 * @param string     $page_url The member page, or ''.
 * @return string
 */
function loyalty_sync_points_panel_html( $lookup, $page_url ) {
	$html = '<div class="loyalty-sync-points">';
	if ( null === $lookup ) {
		$html .= '' === $page_url ? '<p>' . esc_html__( 'Your points cannot be shown right now. Please try again later.', 'loyalty-sync' ) . '</p>' : '';
		return $html . loyalty_sync_page_link_html( $page_url ) . '</div>';
	}
	$member = $lookup['member'];
	if ( null === $member ) {
		return $html . '<p>' . esc_html__( 'You are not a member of our loyalty program yet: your first order earns points.', 'loyalty-sync' ) . '</p></div>';
	}
	$currency  = (string) ( $member['currency'] ?? '' );
	$spendable = (int) ( $member['points']['spendable'] ?? 0 );
	$pending   = (int) ( $member['points']['pending'] ?? 0 );
	/* translators: %s: a number of points */
	$balance = sprintf( _n( '%s point to spend', '%s points to spend', $spendable, 'loyalty-sync' ), number_format_i18n( $spendable ) );
	$html   .= '<p class="loyalty-sync-balance"><strong>' . esc_html( $balance ) . '</strong>';
	if ( $pending > 0 ) {
		/* translators: %s: a number of points */
		$html .= ' ' . esc_html( sprintf( __( '(+%s pending until the return window ends)', 'loyalty-sync' ), number_format_i18n( $pending ) ) );
	}
	$html .= '</p>';
	$tier  = $member['tier'] ?? array();
	if ( ! empty( $tier['name'] ) ) {
		/* translators: %s: the member's tier, e.g. Silver */
		$html .= '<p class="loyalty-sync-tier">' . esc_html( sprintf( __( 'Your tier: %s', 'loyalty-sync' ), $tier['name'] ) );
		$next  = $tier['next'] ?? null;
		if ( is_array( $next ) && ! empty( $next['name'] ) ) {
			$percent = max( 0, min( 100, (int) ( $next['progress_percent'] ?? 0 ) ) );
			/* translators: 1: the next tier, 2: what is missing, e.g. "45.00 EUR more to spend" */
			$html .= '<br>' . esc_html( sprintf( __( 'Next: %1$s (%2$s)', 'loyalty-sync' ), $next['name'], loyalty_sync_to_go_text( (array) ( $next['to_go'] ?? array() ), $currency ) ) )
				. ' <progress max="100" value="' . esc_attr( (string) $percent ) . '">' . esc_html( $percent . ' %' ) . '</progress>';
		}
		$html .= '</p>';
	}
	$coupons = array_filter( (array) ( $member['coupons'] ?? array() ), 'is_array' );
	if ( $coupons ) {
		$html .= '<h3>' . esc_html__( 'Your coupons', 'loyalty-sync' ) . '</h3><ul class="loyalty-sync-coupons">';
		foreach ( $coupons as $coupon ) {
			$html .= loyalty_sync_coupon_html( $coupon, $currency );
		}
		$html .= '</ul>';
	}
	$expiring = (int) ( $member['expiring']['points'] ?? 0 );
	if ( $expiring > 0 ) {
		/* translators: 1: a number of points, 2: a number of days, 3: a date */
		$text  = sprintf( __( '%1$s points expire in the next %2$s days, the first on %3$s.', 'loyalty-sync' ), number_format_i18n( $expiring ), number_format_i18n( (int) ( $member['expiring']['days'] ?? 30 ) ), (string) ( $member['expiring']['first_date'] ?? '' ) );
		$html .= '<p class="loyalty-sync-expiring">' . esc_html( $text ) . '</p>';
	}
	return $html . loyalty_sync_page_link_html( $page_url ) . '</div>';
}

/**
 * The My Account menu with our tab inserted before "Log out".
 *
 * @param array  $items Endpoint => label.
 * @param string $key   Our endpoint.
 * @param string $label Our label.
 * @return array
 */
function loyalty_sync_insert_menu_item( array $items, $key, $label ) {
	$menu = array();
	foreach ( $items as $endpoint => $text ) {
		if ( 'customer-logout' === $endpoint ) {
			$menu[ $key ] = $label;
		}
		$menu[ $endpoint ] = $text;
	}
	if ( ! isset( $menu[ $key ] ) ) {
		$menu[ $key ] = $label;
	}
	return $menu;
}
