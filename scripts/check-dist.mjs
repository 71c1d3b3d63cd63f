// Fails when dist/ is not what `npm run build` makes from src/: the runner executes dist/, never src/.
// It rebuilds in place, so a stale dist/ is also fixed locally; commit the result.
import { execSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const before = mkdtempSync(join(tmpdir(), 'dist-before-'))
cpSync('dist', before, { recursive: true })
execSync('npm run -s build', { stdio: ['ignore', 'ignore', 'inherit'] })

const files = (dir) => readdirSync(dir, { recursive: true }).map(String).sort()
const stale = [...new Set([...files(before), ...files('dist')])].filter((file) => {
  try {
    return !readFileSync(join(before, file)).equals(readFileSync(join('dist', file)))
  } catch {
    return true // present on one side only
  }
})
rmSync(before, { recursive: true, force: true })
if (stale.length > 0) {
  console.error(`check-dist: dist/ was stale (${stale.join(', ')}); it has been rebuilt from src/. Commit dist/.`)
  process.exit(1)
}
console.log('check-dist: dist/ matches src/')
