<?php
/**
 * Plugin Name:       sharecard
 * Description:       Social cards from sharecard: signed card URLs as og:image and twitter:image (through Yoast SEO or Rank Math, or on its own), and an optional signed webhook to sharecard when a post is published.
 * Version:           1.0.0
 * Requires at least: 5.6
 * Requires PHP:      7.4
 * License:           Apache-2.0
 * Text Domain:       sharecard
 */

if (!defined('ABSPATH')) {
    exit;
}

/*
 * Pure functions: no WordPress calls, so tests run them with php-cli
 * (integrations/wordpress/tests/harness.php).
 */

/** Settings and their defaults (the option sharecard_settings). */
function sharecard_default_settings()
{
    return [
        'base_url'      => '',      // public address of sharecard, e.g. https://cards.example.com
        'sign_key'      => '',      // SHARECARD_SIGN_KEY of the server
        'layout'        => 'standard',
        'og_preset'     => 'og',
        'twitter_preset' => 'og',   // og (1200x630) suits summary_large_image
        'format'        => 'jpg',
        'hook_enabled'  => false,
        'hook_secret'   => '',      // the server's secret of the wordpress source
    ];
}

/**
 * Percent-encodes the NFC UTF-8 bytes of $text keeping only the RFC 3986
 * unreserved characters (rawurlencode). Without the intl extension the text
 * is signed as it is, which the server also accepts.
 */
function sharecard_encode($text)
{
    $text = (string) $text;
    if (class_exists('Normalizer')) {
        $n = Normalizer::normalize($text, Normalizer::FORM_C);
        if ($n !== false) {
            $text = $n;
        }
    }
    return rawurlencode($text);
}

/** The canonical query of card parameters (name => text), sig left out, as sharecard signs it. */
function sharecard_canonical_query(array $params)
{
    $pairs = [];
    foreach ($params as $k => $v) {
        if ((string) $k !== 'sig') {
            $pairs[] = [sharecard_encode($k), sharecard_encode($v)];
        }
    }
    usort($pairs, function ($a, $b) {
        return strcmp($a[0], $b[0]) ?: strcmp($a[1], $b[1]);
    });
    return implode('&', array_map(function ($p) {
        return $p[0] . '=' . $p[1];
    }, $pairs));
}

/**
 * The signed card URL for $params with $preset under $settings, or '' when
 * the base URL or the key is not set. sig is the hex HMAC-SHA256 of
 * path "\n" canonical query (docs: Signing card URLs).
 */
function sharecard_card_url(array $settings, $preset, array $params)
{
    $settings = array_merge(sharecard_default_settings(), $settings);
    if ($settings['base_url'] === '' || $settings['sign_key'] === '' || $preset === '') {
        return '';
    }
    $layout = $settings['layout'] !== '' ? $settings['layout'] : 'standard';
    $file = $preset . '.' . $settings['format'];
    $query = sharecard_canonical_query($params);
    $sig = hash_hmac('sha256', '/v1/card/' . $layout . '/' . $file . "\n" . $query, $settings['sign_key']);
    return rtrim($settings['base_url'], '/') . '/v1/card/' . rawurlencode($layout) . '/' . $file
        . '?' . ($query !== '' ? $query . '&' : '') . 'sig=' . $sig;
}

/** Plain text from HTML: tags stripped, entities decoded, white space collapsed. */
function sharecard_plain_text($html)
{
    $text = preg_replace('#<(script|style)\b[^>]*>.*?</\1>#is', ' ', (string) $html);
    $text = preg_replace('#<(br|/p|/div|/li|/h[1-6])\b[^>]*>#i', ' ', $text);
    $text = html_entity_decode(strip_tags($text), ENT_QUOTES | ENT_HTML5, 'UTF-8');
    return trim(preg_replace('/\s+/u', ' ', $text));
}

/** WordPress's "2026-12-07 10:00:00" as "2026-12-07T10:00:00" (UTC, no zone); '' for the zero date. */
function sharecard_gmt($date)
{
    $date = (string) $date;
    if ($date === '' || strpos($date, '0000-00-00') === 0) {
        return '';
    }
    return str_replace(' ', 'T', $date);
}

/**
 * The webhook body for a post, from plain data (sharecard_collect_post
 * gathers it from WordPress): id, status, title, excerpt, link, date_gmt,
 * modified_gmt, locale, author_name, categories, tags, featured_image
 * (url, alt_text, caption, credit), breaking.
 */
function sharecard_payload(array $post)
{
    $img = isset($post['featured_image']) && is_array($post['featured_image']) ? $post['featured_image'] : [];
    $tags = array_values(array_map('strval', isset($post['tags']) ? (array) $post['tags'] : []));
    $breaking = !empty($post['breaking']);
    foreach ($tags as $t) {
        if (strtolower($t) === 'breaking' || strtolower($t) === '#breaking') {
            $breaking = true;
        }
    }
    $locale = isset($post['locale']) ? (string) $post['locale'] : '';
    $payload = [
        'id'           => (int) $post['id'],
        'status'       => (string) $post['status'],
        'title'        => sharecard_plain_text(isset($post['title']) ? $post['title'] : ''),
        'excerpt'      => sharecard_plain_text(isset($post['excerpt']) ? $post['excerpt'] : ''),
        'link'         => (string) (isset($post['link']) ? $post['link'] : ''),
        'date_gmt'     => sharecard_gmt(isset($post['date_gmt']) ? $post['date_gmt'] : ''),
        'modified_gmt' => sharecard_gmt(isset($post['modified_gmt']) ? $post['modified_gmt'] : ''),
        // en_US -> en, pt_BR -> pt: sharecard takes a BCP 47 language.
        'lang'         => strtolower(preg_replace('/[_-].*$/', '', $locale)),
        'author'       => ['name' => sharecard_plain_text(isset($post['author_name']) ? $post['author_name'] : '')],
        'categories'   => array_values(array_map('sharecard_plain_text', isset($post['categories']) ? (array) $post['categories'] : [])),
        'tags'         => array_map('sharecard_plain_text', $tags),
        'featured_image' => [
            'url'      => (string) (isset($img['url']) ? $img['url'] : ''),
            'alt_text' => sharecard_plain_text(isset($img['alt_text']) ? $img['alt_text'] : ''),
            'caption'  => sharecard_plain_text(isset($img['caption']) ? $img['caption'] : ''),
            'credit'   => sharecard_plain_text(isset($img['credit']) ? $img['credit'] : ''),
        ],
        'breaking'     => $breaking,
    ];
    return $payload;
}

/** The card parameters of a post's payload (empty values left out). */
function sharecard_card_params(array $payload)
{
    $img = $payload['featured_image'];
    $params = [
        'headline' => $payload['title'],
        'section'  => isset($payload['categories'][0]) ? $payload['categories'][0] : '',
        'photo'    => $img['url'],
        'caption'  => $img['caption'] !== '' ? $img['caption'] : $img['alt_text'],
        'credit'   => $img['credit'],
        'lang'     => $payload['lang'],
        'breaking' => $payload['breaking'] ? 'true' : '',
    ];
    return array_filter($params, function ($v) {
        return $v !== '';
    });
}

/** The webhook body as JSON (UTF-8 and slashes unescaped, as the server reads either). */
function sharecard_payload_json(array $payload)
{
    return json_encode($payload, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
}

/** The HMAC key of a secret: "whsec_<base64>" is the key in base64, other text the key itself. */
function sharecard_secret_key($secret)
{
    if (strpos($secret, 'whsec_') === 0) {
        return (string) base64_decode(substr($secret, 6), true);
    }
    return (string) $secret;
}

/** The X-Sharecard-Signature value: t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<body>")>. */
function sharecard_hook_signature($secret, $body, $t)
{
    $t = (string) (int) $t;
    return 't=' . $t . ',v1=' . hash_hmac('sha256', $t . '.' . $body, sharecard_secret_key($secret));
}

/*
 * WordPress glue.
 */

/** The settings, merged over the defaults. */
function sharecard_settings()
{
    $saved = get_option('sharecard_settings', []);
    return array_merge(sharecard_default_settings(), is_array($saved) ? $saved : []);
}

/** The plain data of a post for sharecard_payload. */
function sharecard_collect_post($post)
{
    $post = get_post($post);
    $img = [];
    $thumb = get_post_thumbnail_id($post);
    if ($thumb) {
        $meta = wp_get_attachment_metadata($thumb);
        $img = [
            'url'      => (string) wp_get_attachment_image_url($thumb, 'full'),
            'alt_text' => (string) get_post_meta($thumb, '_wp_attachment_image_alt', true),
            'caption'  => (string) wp_get_attachment_caption($thumb),
            'credit'   => isset($meta['image_meta']['credit']) ? (string) $meta['image_meta']['credit'] : '',
        ];
    }
    $names = function ($terms) {
        return is_array($terms) ? array_map(function ($t) {
            return $t->name;
        }, $terms) : [];
    };
    return [
        'id'           => $post->ID,
        'status'       => $post->post_status,
        'title'        => get_the_title($post),
        'excerpt'      => has_excerpt($post) ? $post->post_excerpt : wp_trim_words(strip_shortcodes($post->post_content), 40, ''),
        'link'         => get_permalink($post),
        'date_gmt'     => $post->post_date_gmt,
        'modified_gmt' => $post->post_modified_gmt,
        'locale'       => get_locale(),
        'author_name'  => get_the_author_meta('display_name', $post->post_author),
        'categories'   => $names(get_the_category($post->ID)),
        'tags'         => $names(get_the_tags($post->ID)),
        'featured_image' => $img,
        'breaking'     => (bool) get_post_meta($post->ID, 'sharecard_breaking', true),
    ];
}

/** The card URL of the current singular post for $preset_key (og_preset or twitter_preset), or ''. */
function sharecard_current_card_url($preset_key)
{
    if (!is_singular() || !($post = get_queried_object()) || !isset($post->ID)) {
        return '';
    }
    $s = sharecard_settings();
    $payload = sharecard_payload(sharecard_collect_post($post));
    if ($payload['title'] === '') {
        return '';
    }
    return sharecard_card_url($s, $s[$preset_key], sharecard_card_params($payload));
}

/** Filter callbacks: the card URL replaces the image when there is one to give. */
function sharecard_filter_og_image($url)
{
    $card = sharecard_current_card_url('og_preset');
    return $card !== '' ? $card : $url;
}

function sharecard_filter_twitter_image($url)
{
    $card = sharecard_current_card_url('twitter_preset');
    return $card !== '' ? $card : $url;
}

// Yoast SEO.
add_filter('wpseo_opengraph_image', 'sharecard_filter_og_image', 20);
add_filter('wpseo_twitter_image', 'sharecard_filter_twitter_image', 20);
// Yoast prints no og:image for a post without images: add the card.
add_action('wpseo_add_opengraph_images', function ($images) {
    if (is_object($images) && method_exists($images, 'has_images') && !$images->has_images()) {
        $card = sharecard_current_card_url('og_preset');
        if ($card !== '') {
            $images->add_image($card);
        }
    }
});
// Rank Math.
add_filter('rank_math/opengraph/facebook/image', 'sharecard_filter_og_image', 20);
add_filter('rank_math/opengraph/twitter/image', 'sharecard_filter_twitter_image', 20);

// Without Yoast or Rank Math, print the tags ourselves.
add_action('wp_head', function () {
    if (defined('WPSEO_VERSION') || class_exists('RankMath')) {
        return;
    }
    $og = sharecard_current_card_url('og_preset');
    $tw = sharecard_current_card_url('twitter_preset');
    if ($og !== '') {
        echo '<meta property="og:image" content="' . esc_attr($og) . '" />' . "\n";
    }
    if ($tw !== '') {
        echo '<meta name="twitter:card" content="summary_large_image" />' . "\n";
        echo '<meta name="twitter:image" content="' . esc_attr($tw) . '" />' . "\n";
    }
}, 5);

/*
 * The webhook. transition_post_status runs before the block editor saves
 * a post's terms and featured image, so it only notes the post; the POST
 * goes out on wp_after_insert_post, when everything is saved.
 */
add_action('transition_post_status', function ($new_status, $old_status, $post) {
    if ($new_status === 'publish' && isset($post->post_type) && $post->post_type === 'post') {
        $GLOBALS['sharecard_pending'][$post->ID] = true;
    }
}, 10, 3);

add_action('wp_after_insert_post', function ($post_id) {
    if (empty($GLOBALS['sharecard_pending'][$post_id])) {
        return;
    }
    unset($GLOBALS['sharecard_pending'][$post_id]);
    sharecard_send_hook($post_id);
}, 10, 1);

/** POSTs a published post to sharecard's /v1/hooks/wordpress, signed. */
function sharecard_send_hook($post_id)
{
    $s = sharecard_settings();
    if (!$s['hook_enabled'] || $s['base_url'] === '' || $s['hook_secret'] === '') {
        return;
    }
    $body = sharecard_payload_json(sharecard_payload(sharecard_collect_post($post_id)));
    $resp = wp_remote_post(rtrim($s['base_url'], '/') . '/v1/hooks/wordpress', [
        'timeout' => 10,
        'headers' => [
            'Content-Type'          => 'application/json',
            'X-Sharecard-Signature' => sharecard_hook_signature($s['hook_secret'], $body, time()),
        ],
        'body'    => $body,
    ]);
    if (is_wp_error($resp)) {
        error_log('sharecard: webhook for post ' . $post_id . ' failed: ' . $resp->get_error_message());
    } elseif (wp_remote_retrieve_response_code($resp) >= 300) {
        error_log('sharecard: webhook for post ' . $post_id . ' answered ' . wp_remote_retrieve_response_code($resp) . ': ' . wp_remote_retrieve_body($resp));
    }
}

/*
 * Settings page: Settings > sharecard.
 */

/** Cleans the settings form; bad values keep the saved ones and say why. */
function sharecard_sanitize_settings($in)
{
    $old = sharecard_settings();
    $out = $old;
    $in = is_array($in) ? $in : [];
    $base = isset($in['base_url']) ? trim((string) $in['base_url']) : '';
    if ($base === '' || preg_match('~^https?://[^\s/]+(/[^\s?#]*)?$~', $base)) {
        $out['base_url'] = rtrim($base, '/');
    } else {
        add_settings_error('sharecard_settings', 'base_url', 'Base URL: give the address of sharecard, such as https://cards.example.com (kept the old value).');
    }
    foreach (['layout', 'og_preset', 'twitter_preset'] as $k) {
        $v = isset($in[$k]) ? trim((string) $in[$k]) : '';
        if (preg_match('/^[a-z0-9][a-z0-9-]*$/', $v)) {
            $out[$k] = $v;
        } else {
            add_settings_error('sharecard_settings', $k, $k . ': use lowercase letters, digits and hyphens, such as ' . sharecard_default_settings()[$k] . ' (kept the old value).');
        }
    }
    $format = isset($in['format']) ? (string) $in['format'] : 'jpg';
    $out['format'] = in_array($format, ['jpg', 'png', 'webp'], true) ? $format : 'jpg';
    // An empty key field keeps the saved key (the form never shows it).
    foreach (['sign_key', 'hook_secret'] as $k) {
        if (isset($in[$k]) && trim((string) $in[$k]) !== '') {
            $out[$k] = trim((string) $in[$k]);
        }
    }
    $out['hook_enabled'] = !empty($in['hook_enabled']);
    return $out;
}

add_action('admin_init', function () {
    register_setting('sharecard', 'sharecard_settings', ['sanitize_callback' => 'sharecard_sanitize_settings']);
});

add_action('admin_menu', function () {
    add_options_page('sharecard', 'sharecard', 'manage_options', 'sharecard', 'sharecard_settings_page');
});

/** Prints the settings page. */
function sharecard_settings_page()
{
    if (!current_user_can('manage_options')) {
        return;
    }
    $s = sharecard_settings();
    $field = function ($name, $label, $help, $type = 'text') use ($s) {
        $secret = $type === 'password';
        echo '<tr><th scope="row"><label for="sharecard_' . esc_attr($name) . '">' . esc_html($label) . '</label></th><td>';
        echo '<input class="regular-text" type="' . esc_attr($type) . '" id="sharecard_' . esc_attr($name) . '" name="sharecard_settings[' . esc_attr($name) . ']" value="' . ($secret ? '' : esc_attr($s[$name])) . '"'
            . ($secret && $s[$name] !== '' ? ' placeholder="(saved; type to replace)"' : '') . ' autocomplete="off" />';
        echo '<p class="description">' . esc_html($help) . '</p></td></tr>';
    };
    echo '<div class="wrap"><h1>sharecard</h1><form method="post" action="options.php">';
    settings_fields('sharecard');
    echo '<table class="form-table" role="presentation">';
    $field('base_url', 'Base URL', 'Public address of your sharecard service, e.g. https://cards.example.com.');
    $field('sign_key', 'Signing key', 'The server\'s SHARECARD_SIGN_KEY. Card URLs are signed with it.', 'password');
    $field('layout', 'Layout', 'Layout name, e.g. standard or breaking.');
    $field('og_preset', 'og:image preset', 'Preset of og:image (og is 1200x630).');
    $field('twitter_preset', 'twitter:image preset', 'Preset of twitter:image (og suits summary_large_image).');
    echo '<tr><th scope="row">Format</th><td><select name="sharecard_settings[format]">';
    foreach (['jpg', 'png', 'webp'] as $f) {
        echo '<option value="' . $f . '"' . selected($s['format'], $f, false) . '>' . $f . '</option>';
    }
    echo '</select></td></tr>';
    echo '<tr><th scope="row">Webhook</th><td><label><input type="checkbox" name="sharecard_settings[hook_enabled]" value="1"' . checked($s['hook_enabled'], true, false) . ' /> POST each published post to sharecard (/v1/hooks/wordpress), so its cards are rendered before anyone shares it.</label></td></tr>';
    $field('hook_secret', 'Webhook secret', 'The secret of the wordpress source on the server (SHARECARD_HOOK_SECRET_WORDPRESS or hooks.yaml).', 'password');
    echo '</table>';
    submit_button();
    echo '</form></div>';
}
