<?php
// Test harness for the sharecard WordPress plugin's pure functions, run
// with php-cli without WordPress: the few WordPress functions the plugin
// calls when it loads are stubbed and record what they are given.
//
// Reads JSON on stdin:
//   {"settings": {...}, "hook_secret": "...", "t": 1765101600,
//    "posts": [ {plain post data, see sharecard_payload}, ... ],
//    "sanitize": [ {settings form}, ... ]}
// and prints JSON: the hooks the plugin registered and, per post, the
// webhook body, its X-Sharecard-Signature and the og/twitter card URLs.

define('ABSPATH', __DIR__ . '/');

$registered = [];
function add_filter($hook, $callback, $priority = 10, $args = 1)
{
    $GLOBALS['registered'][] = $hook;
    return true;
}
function add_action($hook, $callback, $priority = 10, $args = 1)
{
    return add_filter($hook, $callback, $priority, $args);
}
$settings_errors = [];
function add_settings_error($setting, $code, $message)
{
    $GLOBALS['settings_errors'][] = $code . ': ' . $message;
}
function get_option($name, $default = false)
{
    return $name === 'sharecard_settings' && isset($GLOBALS['stored_settings']) ? $GLOBALS['stored_settings'] : $default;
}

require __DIR__ . '/../sharecard/sharecard.php';

$in = json_decode(stream_get_contents(STDIN), true);
if (!is_array($in)) {
    fwrite(STDERR, "harness: stdin is not JSON\n");
    exit(2);
}
$settings = isset($in['settings']) ? $in['settings'] : [];
$results = [];
foreach (isset($in['posts']) ? $in['posts'] : [] as $post) {
    $payload = sharecard_payload($post);
    $body = sharecard_payload_json($payload);
    $params = sharecard_card_params($payload);
    $s = array_merge(sharecard_default_settings(), $settings);
    $results[] = [
        'body'        => $body,
        'signature'   => sharecard_hook_signature($in['hook_secret'], $body, $in['t']),
        'card_params' => (object) $params,
        'og_url'      => sharecard_card_url($settings, $s['og_preset'], $params),
        'twitter_url' => sharecard_card_url($settings, $s['twitter_preset'], $params),
    ];
}
$sanitized = [];
foreach (isset($in['sanitize']) ? $in['sanitize'] : [] as $form) {
    $GLOBALS['stored_settings'] = $settings;
    $GLOBALS['settings_errors'] = [];
    $out = sharecard_sanitize_settings($form);
    $sanitized[] = ['settings' => $out, 'errors' => $GLOBALS['settings_errors']];
}
echo json_encode([
    'registered' => $registered,
    'intl'       => class_exists('Normalizer'),
    'results'    => $results,
    'sanitized'  => $sanitized,
], JSON_UNESCAPED_SLASHES), "\n";
