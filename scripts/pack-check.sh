#!/usr/bin/env bash
# Proves the published package works for someone who installs it: packs the tarball `npm publish`
# would upload, installs it into a fresh project, then runs the CLI and the library from there.
# Node refuses to strip types under node_modules, so this is the only check that catches a package
# that still points at its .ts sources.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# The pinned Node 24 for everything below, the installed run included: the system Node may be 20.
export PATH="$root/node_modules/.bin:$PATH"
pinned="v$(node -p "require('./package.json').devDependencies.node")"
if [ "$(command -v node)" != "$root/node_modules/.bin/node" ] || [ "$(node --version)" != "$pinned" ]; then
  echo "pack-check: FAIL: need the pinned Node $pinned from node_modules/.bin, got $(node --version) at $(command -v node); run npm ci" >&2
  exit 1
fi
echo "pack-check: node $(node --version) at $(command -v node)"

work="$(mktemp -d "${TMPDIR:-/tmp}/tradestore-pack-check.XXXXXX")"
serve_pid=""
trap '[ -z "$serve_pid" ] || kill "$serve_pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() {
  echo "pack-check: FAIL: $*" >&2
  exit 1
}

# prepack builds dist/ first, as it will for `npm publish`.
npm pack --silent --pack-destination "$work" >/dev/null
tarballs=("$work"/tradestore-*.tgz)
[ -f "${tarballs[0]}" ] || fail "npm pack wrote no tarball"
tarball="${tarballs[0]}"
contents="$(tar -tzf "$tarball")"
for path in bin/tradestore.js dist/index.js dist/index.d.ts dist/cli/main.js web/dist/index.html web/dist/static/ migrations/sqlite/ migrations/postgresql/ README.md .env.example; do
  grep -q "^package/$path" <<<"$contents" || fail "$path missing from $(basename "$tarball")"
done
if grep -E '^package/(src|test|bench|scripts|web/src)/' <<<"$contents" >/dev/null; then
  fail "the tarball ships development files: $(grep -E '^package/(src|test|bench|scripts|web/src)/' <<<"$contents" | head -3 | tr '\n' ' ')"
fi
echo "pack-check: packed $(basename "$tarball") ($(wc -l <<<"$contents") files, $(du -k "$tarball" | cut -f1) KiB)"

app="$work/app"
mkdir "$app"
cd "$app"
cat >package.json <<'JSON'
{ "name": "tradestore-pack-check", "private": true, "type": "module" }
JSON
npm install --silent --no-audit --no-fund --prefer-offline "$tarball"
[ ! -e node_modules/tradestore/src ] || fail "the installed package has a src/ folder"

# The node the installed bin's `#!/usr/bin/env node` will find.
npx_node="$(npx -c 'node --version')"
[ "$npx_node" = "$pinned" ] || fail "npx runs Node $npx_node, not the pinned $pinned"

help="$(npx tradestore --help)" || fail "npx tradestore --help exited $?"
grep -q '^Usage: tradestore' <<<"$help" || fail "npx tradestore --help printed no usage: $help"
echo "pack-check: npx tradestore --help: ok"

# The CLI reports on stderr. `migrate up` proves the migrations folder resolves from dist/.
up="$(npx tradestore --db "sqlite:$work/cli.db" migrate up 2>&1)" || fail "npx tradestore migrate up exited $?: $up"
status="$(npx tradestore --db "sqlite:$work/cli.db" migrate status 2>&1)" || fail "npx tradestore migrate status exited $?: $status"
grep -q ', 0 pending$' <<<"$status" || fail "migrate status after migrate up: $status"
echo "pack-check: npx tradestore migrate up + status: ok"

DB="sqlite:$work/lib.db" node --input-type=module -e "
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
const resolved = import.meta.resolve('tradestore');
assert.match(resolved, /\/node_modules\/tradestore\/dist\/index\.js$/, resolved);
import('tradestore').then(async (m) => {
  const store = await m.openStore(process.env.DB);
  try {
    const { applied } = await m.migrateUp(store);
    const shipped = readdirSync('node_modules/tradestore/migrations/sqlite').filter((f) => f.endsWith('.sql'));
    assert.equal(applied.length, shipped.length, 'every shipped SQLite migration applied');
    assert.deepEqual((await m.migrationState(store)).pending, []);
    const asset = await m.ensureAsset(store, { symbol: 'PACK/USDT', venue: 'pack-check' });
    const rows = [0, 1].map((i) => ({ ts: Date.UTC(2024, 0, 1) + i * 60_000, open: 1, high: 2, low: 0.5, close: 1.5 + i, volume: 10 }));
    await m.insertCandles(store, asset, '1m', rows);
    assert.deepEqual(await m.readCandles(store, asset, '1m'), rows);
    console.log('pack-check: library on ' + process.version + ' from ' + resolved.replace(/^.*\/node_modules\//, 'node_modules/') + ': ' + applied.length + ' migrations applied, candles read back: ok');
  } finally {
    await store.close();
  }
}).catch((error) => {
  console.error(error);
  process.exit(1);
});
" || fail "the library check exited $?"

# The installed package serves the built web app at / (and its hashed files, cached for good).
port=$((20000 + RANDOM % 20000))
# The installed bin itself (not through npx, whose child a kill would leave running).
PORT=$port LOG_LEVEL=silent node node_modules/tradestore/bin/tradestore.js --db "sqlite:$work/web.db" serve \
  >"$work/serve.log" 2>&1 &
serve_pid=$!
page=""
for _ in $(seq 1 300); do
  page="$(curl -fsS "http://127.0.0.1:$port/" 2>/dev/null)" && break
  sleep 0.2
done
script="$(grep -o '/app/static/[^"]*\.js' <<<"$page" | head -1)"
headers="$( [ -n "$script" ] && curl -fsS -D - -o /dev/null "http://127.0.0.1:$port$script" || true)"
kill "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
serve_pid=""
[ -n "$script" ] || fail "the installed serve answered / without the web app's script: ${page:0:200} $(tail -3 "$work/serve.log")"
grep -qi '^cache-control: public, max-age=31536000, immutable' <<<"$headers" ||
  fail "the installed serve did not serve $script as an immutable file: $headers"
echo "pack-check: installed serve answers / with the web app ($script): ok"

# The shipped .d.ts files must serve a TypeScript user through the exports map's types condition.
cat >tsconfig.json <<JSON
{
  "compilerOptions": {
    "target": "es2024",
    "module": "nodenext",
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true,
    "typeRoots": ["$root/node_modules/@types"],
    "types": ["node"]
  },
  "files": ["check.ts"]
}
JSON
cat >check.ts <<'TS'
import { migrateUp, openStore, readCandles, type Store } from 'tradestore';

const store: Store = await openStore('sqlite::memory:');
const { applied }: { applied: string[] } = await migrateUp(store);
const candles: Array<{ ts: number; close: number }> = await readCandles(store, 1, '1m');
// @ts-expect-error the store URL is a string
await openStore(42);
console.log(applied, candles);
TS
tsc -p tsconfig.json || fail "the shipped types do not type-check a user's import of 'tradestore'"
echo "pack-check: types from node_modules/tradestore/dist/index.d.ts: ok"
echo "pack-check: ok"
