<?php
// Sign sharecard card URLs (PHP 7.4+, no extensions needed; intl is used
// for Unicode NFC when present).
//
//   require 'sharecard_sign.php';
//   $url = sharecard_sign_card_url($key, 'https://cards.example.com', 'standard', 'og', 'jpg',
//                                  ['headline' => 'Rates rise', 'section' => 'Economy']);
//
// The signature is the lowercase hex HMAC-SHA256, under the key, of
//   <path> "\n" <canonical query>
// where the canonical query is every parameter but sig, each name and value
// normalised to Unicode NFC and percent-encoded byte by byte keeping only
// A-Z a-z 0-9 - . _ ~ (uppercase hex), the name=value pairs sorted by encoded
// name then encoded value, joined with "&". See docs/readme-signing.md and
// integrations/signers/vectors.json.
//
// Without the intl extension text is signed as it is: the server accepts
// that too, so only an intermediary that renormalises the URL can break it.
//
// Run as a program, it reads {"cases": [...]} as JSON on stdin and prints the
// signatures (the cross-language tests use this).

// sharecard_encode percent-encodes the NFC UTF-8 bytes of $text, keeping
// only unreserved characters. rawurlencode follows RFC 3986 since PHP 5.3.
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

// sharecard_canonical_query returns the canonical query of $params (name => text); sig is left out.
function sharecard_canonical_query(array $params)
{
    $pairs = [];
    foreach ($params as $k => $v) {
        if ((string) $k === 'sig') {
            continue;
        }
        $pairs[] = [sharecard_encode($k), sharecard_encode($v)];
    }
    usort($pairs, function ($a, $b) {
        return strcmp($a[0], $b[0]) ?: strcmp($a[1], $b[1]);
    });
    $out = [];
    foreach ($pairs as $p) {
        $out[] = $p[0] . '=' . $p[1];
    }
    return implode('&', $out);
}

// sharecard_card_path returns the path of a card, e.g. /v1/card/standard/og.jpg.
function sharecard_card_path($layout, $preset, $ext)
{
    return '/v1/card/' . $layout . '/' . $preset . '.' . $ext;
}

// sharecard_signing_string returns the string the sig parameter signs.
function sharecard_signing_string($path, array $params)
{
    return $path . "\n" . sharecard_canonical_query($params);
}

// sharecard_card_signature returns the hex sig of a card.
function sharecard_card_signature($key, $path, array $params)
{
    return hash_hmac('sha256', sharecard_signing_string($path, $params), (string) $key);
}

// sharecard_sign_card_url returns the signed card URL; its query is the canonical query.
function sharecard_sign_card_url($key, $base, $layout, $preset, $ext, array $params)
{
    $query = sharecard_canonical_query($params);
    $sig = sharecard_card_signature($key, sharecard_card_path($layout, $preset, $ext), $params);
    return rtrim($base, '/') . '/v1/card/' . rawurlencode($layout) . '/' . $preset . '.' . $ext
        . '?' . ($query !== '' ? $query . '&' : '') . 'sig=' . $sig;
}

if (PHP_SAPI === 'cli' && isset($argv[0]) && realpath($argv[0]) === __FILE__) {
    $in = json_decode(stream_get_contents(STDIN), true);
    $results = [];
    foreach ($in['cases'] as $c) {
        $params = (array) $c['params'];
        $path = sharecard_card_path($c['layout'], $c['preset'], $c['ext']);
        $sig = sharecard_card_signature($c['key'], $path, $params);
        // The same signature on a query encoded by http_build_query (+ for
        // space, ~ * ' ( ) encoded): the server decodes either.
        $native = $params;
        $native['sig'] = $sig;
        $results[] = [
            'signing_string' => sharecard_signing_string($path, $params),
            'sig' => $sig,
            'url' => sharecard_sign_card_url($c['key'], $c['base'], $c['layout'], $c['preset'], $c['ext'], $params),
            'native_url' => rtrim($c['base'], '/') . $path . '?' . http_build_query($native),
        ];
    }
    echo json_encode(['results' => $results]), "\n";
}
