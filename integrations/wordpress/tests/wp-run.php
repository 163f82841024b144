<?php
// Runs the sharecard plugin inside a real WordPress (Debian's wordpress
// package) on a MariaDB database, without a web server: installs the site,
// activates the plugin, publishes a post (which sends the webhook) and
// prints the post page's <head>. server/wpplugin_test.go drives it.
//
// Environment: WP_DIR (WordPress, default /usr/share/wordpress), WP_DB_SOCKET
// (MariaDB socket; database wp, user root, no password), WP_CONTENT (a
// wp-content folder whose plugins/sharecard is the plugin), SHARECARD_BASE
// (the sharecard URL), SHARECARD_KEY, SHARECARD_SECRET.
// Prints JSON: {"post_id", "head", "hook_response"}.

$sharecard_wp_dir = rtrim(getenv('WP_DIR') ?: '/usr/share/wordpress', '/') . '/';
define('ABSPATH', $sharecard_wp_dir);
define('DB_NAME', 'wp');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:' . getenv('WP_DB_SOCKET'));
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_CONTENT_DIR', getenv('WP_CONTENT'));
define('WP_CONTENT_URL', 'http://blog.example/wp-content');
define('WP_HOME', 'http://blog.example');
define('WP_SITEURL', 'http://blog.example');
define('WP_INSTALLING', true);
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', false);
foreach (['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'] as $k) {
    define($k, 'test-only-' . $k);
}
$table_prefix = 'wp_';
$_SERVER['HTTP_HOST'] = 'blog.example';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

$out = fopen('php://stdout', 'w');
add_filter('pre_wp_mail', '__return_false'); // no mail from the installer
ob_start(); // WordPress's installer echoes
wp_install('sharecard test', 'admin', 'admin@blog.example', true, '', 'test-only-password');
$act = activate_plugin('sharecard/sharecard.php');
if (is_wp_error($act)) {
    fwrite(STDERR, 'activate: ' . $act->get_error_message() . "\n");
    exit(1);
}
update_option('sharecard_settings', [
    'base_url' => getenv('SHARECARD_BASE'), 'sign_key' => getenv('SHARECARD_KEY'), 'layout' => 'standard',
    'og_preset' => 'og', 'twitter_preset' => 'og', 'format' => 'jpg',
    'hook_enabled' => true, 'hook_secret' => getenv('SHARECARD_SECRET'),
]);
// wp_remote_post refuses loopback URLs unless allowed.
add_filter('http_request_host_is_external', '__return_true');
$hook_response = null;
add_action('http_api_debug', function ($response, $context, $class, $args, $url) use (&$hook_response) {
    if (strpos($url, '/v1/hooks/wordpress') !== false) {
        $hook_response = is_wp_error($response) ? $response->get_error_message() : wp_remote_retrieve_response_code($response);
    }
}, 10, 5);

wp_set_current_user(1);
$cat = wp_insert_term('Économie', 'category');
$post_id = wp_insert_post([
    'post_title'    => 'Rates &amp; rents rise ~ * \' ( ) + = # — العربية 東京 🎉',
    'post_content'  => '<p>The central bank <strong>raised</strong> rates again.</p>',
    'post_excerpt'  => 'The bank raised rates.',
    'post_status'   => 'publish',
    'post_author'   => 1,
    'post_category' => [is_wp_error($cat) ? 1 : $cat['term_id']],
    'tags_input'    => ['rates', 'breaking'],
], true);
if (is_wp_error($post_id)) {
    fwrite(STDERR, 'insert: ' . $post_id->get_error_message() . "\n");
    exit(1);
}
// The front end of the post.
$GLOBALS['wp_the_query'] = new WP_Query(['p' => $post_id]);
$GLOBALS['wp_query'] = $GLOBALS['wp_the_query'];
the_post();
ob_end_clean();
ob_start();
do_action('wp_head');
$head = ob_get_clean();
fwrite($out, json_encode(['post_id' => $post_id, 'head' => $head, 'hook_response' => $hook_response], JSON_UNESCAPED_SLASHES) . "\n");
