/**
 * `driber call` end to end: the real command line (`src/cli/main.ts call ...`, what
 * `npm run call --` runs) in a child process against the whole app over gRPC and HTTP.
 */
import * as grpc from '@grpc/grpc-js'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { beachDialogue, buildTestApp } from '../helper.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

const driber = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
    })
  })

t.test('driber call decide over gRPC prints the same JSON as HTTP; failures print the catalog code', async (t) => {
  const { app, url } = await buildTestApp(t)
  const port = await new Promise<number>((resolve, reject) =>
    app.grpc!.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  const directory = mkdtempSync(path.join(tmpdir(), 'driber-cli-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const file = path.join(directory, 'dialogue.json')
  writeFileSync(file, JSON.stringify({ dialogue: beachDialogue, speaker: 'Ana' }))

  const [overGrpc, overHttp] = await Promise.all([
    driber(['call', 'decide', '--file', file, '--grpc', `127.0.0.1:${port}`]),
    driber(['call', 'decide', '--file', file, '--http', url]),
  ])
  t.equal(overGrpc.code, 0, overGrpc.stderr)
  t.equal(overHttp.code, 0, overHttp.stderr)
  const withoutDurations = (text: string): unknown => JSON.parse(text, (key, value: unknown) => (key === 'duration_ms' ? undefined : value))
  const answer = withoutDurations(overGrpc.stdout) as { speaker: string; model: string }
  t.equal(answer.speaker, 'Ana')
  t.equal(answer.model, 'model-a')
  t.same(answer, withoutDurations(overHttp.stdout), 'both transports print the same answer')

  writeFileSync(file, JSON.stringify({ dialogue: beachDialogue, model: 'no-such-model' }))
  const failed = await driber(['call', 'describe', '--file', file, '--grpc', `127.0.0.1:${port}`])
  t.equal(failed.code, 1)
  t.match(failed.stderr, /^DRIBER_UNKNOWN_MODEL: /)
  t.equal(failed.stdout, '')
})
