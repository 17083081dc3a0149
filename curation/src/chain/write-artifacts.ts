/**
 * `npm run -w @curia/curation contracts:build`: compiles contracts/*.sol and writes ./artifacts.ts (then run
 * prettier over it). Run it after changing a contract; commit both.
 */
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileContracts, renderArtifactsModule } from './compile'

const target = join(dirname(fileURLToPath(import.meta.url)), 'artifacts.ts')
writeFileSync(target, renderArtifactsModule(compileContracts()))
console.log(`wrote ${target}`)
