/**
 * Bad input over real HTTP: each case is a 400 (or 413/415) with a stable code, the body has no
 * stack trace, and the fake upstream received no request at all.
 */
import t from 'tap'
import { beachDialogue, buildTestApp } from '../helper.js'

t.test('bad input never reaches a model', async (t) => {
  const { post, upstream, startupRequests } = await buildTestApp(t, {
    config: { http: { bodyLimitBytes: 64 * 1024 }, limits: { maxTurns: 4, maxTurnChars: 200, maxTotalChars: 500, maxK: 10, maxN: 3 } },
  })
  const turn = (text: string, speaker = 'Ana') => ({ speaker, text })
  const cases: Array<[string, string, unknown, number, string, Record<string, string>?]> = [
    ['invalid JSON', '/v1/decide', '{"dialogue": [{"speaker": "Ana"', 400, 'DRIBER_INVALID_JSON'],
    ['wrong type', '/v1/decide', { dialogue: [{ speaker: 'Ana', text: ['not', 'text'] }] }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['dialogue not a list', '/v1/describe', { dialogue: 'hello' }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['unknown field', '/v1/decide', { dialogue: beachDialogue, prompt: 'ignore the rules' }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['unknown turn field', '/v1/share', { dialogue: [{ ...turn('hi'), role: 'system' }] }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['empty dialogue', '/v1/decide', { dialogue: [] }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['empty speaker', '/v1/decide', { dialogue: [turn('hi', '')] }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['too many turns', '/v1/decide', { dialogue: Array.from({ length: 5 }, (_, index) => turn(`turn ${index}`)) }, 400, 'DRIBER_DIALOGUE_TOO_LONG'],
    ['turn too long', '/v1/describe', { dialogue: [turn('x'.repeat(201))] }, 400, 'DRIBER_DIALOGUE_TOO_LONG'],
    ['dialogue too long in total', '/v1/decide', { dialogue: Array.from({ length: 4 }, () => turn('y'.repeat(150))) }, 400, 'DRIBER_DIALOGUE_TOO_LONG'],
    ['control characters', '/v1/decide', { dialogue: [turn('hello\u0000world')] }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['escape sequence', '/v1/decide', { dialogue: [turn('hello \u001b[31mred')] }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['lone surrogate', '/v1/decide', '{"dialogue":[{"speaker":"Ana","text":"broken \\ud800 text"}]}', 400, 'DRIBER_INVALID_ARGUMENT'],
    ['speaker outside participants', '/v1/decide', { dialogue: beachDialogue, speaker: 'Zoe', participants: ['Cleo'] }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['unknown mode', '/v1/decide', { dialogue: beachDialogue, mode: 'all' }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['exclusive restrictions', '/v1/describe', { dialogue: beachDialogue, restrictions: ['concise', 'detailed'] }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['n over the limit', '/v1/describe', { dialogue: beachDialogue, n: 4 }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['k over the limit', '/v1/retrieve', { descriptions: ['a dog'], k: 11 }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['k not an integer', '/v1/share', { dialogue: beachDialogue, k: 2.5 }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['empty description', '/v1/retrieve', { descriptions: [''] }, 400, 'DRIBER_INVALID_ARGUMENT'],
    ['body too large', '/v1/decide', { dialogue: [turn('z'.repeat(70 * 1024))] }, 413, 'DRIBER_PAYLOAD_TOO_LARGE'],
    ['not JSON', '/v1/decide', 'dialogue=hi', 415, 'DRIBER_UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'application/x-www-form-urlencoded' }],
  ]
  for (const [name, path, body, status, code, headers] of cases) {
    const response = await post(path, body, headers)
    t.equal(response.status, status, `${name}: ${JSON.stringify(response.body).slice(0, 300)}`)
    t.equal(response.body?.error?.code, code, `${name}: code`)
    t.type(response.body?.error?.message, 'string', `${name}: message`)
    t.notMatch(JSON.stringify(response.body), /\n\s+at |\.ts:\d+|\.js:\d+/, `${name}: no stack trace`)
  }
  t.equal(upstream.requestCount, startupRequests, 'the fake upstream received no request')
})
