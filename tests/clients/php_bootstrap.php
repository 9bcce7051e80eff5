<?php
// Runs zammad-api-client-php 3.x's own tests without Composer (issue 22): Debian's packaged
// Guzzle, PSR interfaces and PHPUnit, and PSR-4 autoloading of the client's `src/` (from
// ZAMMAD_PHP_CLIENT_SRC) and `test/` (beside it). Used by tests/integration/ticket_calls/clients.rs.

declare(strict_types=1);

foreach ([
    'GuzzleHttp/autoload.php',
    'GuzzleHttp/Psr7/autoload.php',
    'GuzzleHttp/Promise/autoload.php',
    'Psr/Http/Message/autoload.php',
    'Psr/Http/Message/factory-autoload.php',
    'Psr/Http/Client/autoload.php',
    'Psr/Log/autoload.php',
] as $file) {
    require_once '/usr/share/php/' . $file;
}

$src = getenv('ZAMMAD_PHP_CLIENT_SRC') ?: (getcwd() . '/src');
$roots = [
    'ZammadAPIClient\\Tests\\' => dirname($src) . '/test/',
    'ZammadAPIClient\\' => $src . '/',
];
spl_autoload_register(static function (string $class) use ($roots): void {
    foreach ($roots as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});
