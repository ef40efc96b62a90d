<?php
/**
 * Plugin Name:       Loyalty Sync
 * Description:       Shows the loyalty program of the Loyalty Sync app on the shop: the widget with the signed customer, a "My points" tab in My Account, "you'll earn N points" on the cart and checkout, and the member page link.
 * Version:           1.0.0
 * Requires at least: 6.3
 * Requires PHP:      8.1
 * Requires Plugins:  woocommerce
 * Author:            loyalty-sync
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       loyalty-sync
 * Domain Path:       /languages
 *
 * @package LoyaltySync
 */

defined( 'ABSPATH' ) || exit;

const LOYALTY_SYNC_VERSION = '1.0.0';

require_once __DIR__ . '/includes/identity.php';
require_once __DIR__ . '/includes/widget-tag.php';
require_once __DIR__ . '/includes/api-client.php';
require_once __DIR__ . '/includes/views.php';
require_once __DIR__ . '/includes/settings.php';
require_once __DIR__ . '/includes/storefront.php';

/**
 * The plugin's translations (German included).
 */
function loyalty_sync_load_textdomain() {
	load_plugin_textdomain( 'loyalty-sync', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
}

/**
 * On activation: the My points endpoint is known to the rewrite rules at once.
 */
function loyalty_sync_activate() {
	loyalty_sync_add_endpoint();
	flush_rewrite_rules();
}

/**
 * On deactivation: the endpoint's rewrite rule goes.
 */
function loyalty_sync_deactivate() {
	flush_rewrite_rules();
}

register_activation_hook( __FILE__, 'loyalty_sync_activate' );
register_deactivation_hook( __FILE__, 'loyalty_sync_deactivate' );
add_action( 'init', 'loyalty_sync_load_textdomain' );
add_action( 'admin_init', 'loyalty_sync_register_settings' );
add_action( 'admin_menu', 'loyalty_sync_add_settings_page' );
add_filter( 'plugin_action_links_' . plugin_basename( __FILE__ ), 'loyalty_sync_action_links' );
loyalty_sync_register_storefront_hooks();
