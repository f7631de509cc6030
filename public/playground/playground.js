// The playground page: plain DOM code, no framework and no build step. The API key lives in the
// key field only (never in storage or the URL); every call carries a fresh request id, so a
// result can be found in the service's logs.
import { EXAMPLES } from './examples.js'

const INTENT_LABELS = {
  information_dissemination: 'Information',
  social_bonding: 'Social bonding',
  humor_entertainment: 'Humor',
  visual_clarification: 'Visual clarification',
  topic_transition: 'Topic transition',
  expression_of_emotion_opinion: 'Emotion / opinion',
}
const OPERATION_LABELS = { decide: 'Decide', rank: 'Rank', describe: 'Describe', share: 'Share', explore: 'Describe + Retrieve' }

// The page is served at <service>/playground/, so the API is one level up (also behind a path prefix).
const apiBase = new URL('../', window.location.href)
const byId = (id) => document.getElementById(id)
const element = (tag, properties = {}, children = []) => {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(properties)) {
    if (key === 'class') node.className = value
    else if (key === 'text') node.textContent = value
    else if (key.startsWith('aria-') || key.startsWith('data-')) node.setAttribute(key, value)
    else node[key] = value
  }
  for (const child of children) node.append(child)
  return node
}

/** A request id: randomUUID needs a secure context, getRandomValues does not. */
const newRequestId = () => {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

const authHeaders = () => {
  const key = byId('api-key').value.trim()
  return key === '' ? {} : { authorization: `Bearer ${key}` }
}

/** Calls the API; never throws: network failures come back as an error body of our own. */
const callApi = async (method, path, body) => {
  const requestId = newRequestId()
  const headers = { 'x-request-id': requestId, ...authHeaders() }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const deadline = byId('deadline').value.trim()
  if (deadline !== '') headers['x-request-timeout-ms'] = deadline
  const started = performance.now()
  try {
    const response = await fetch(new URL(path, apiBase), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await response.text()
    let parsed
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = { error: { code: 'NOT_JSON', message: text.slice(0, 300) || `HTTP ${response.status}` } }
    }
    return { ok: response.ok, status: response.status, body: parsed, requestId: response.headers.get('x-request-id') ?? requestId, elapsedMs: performance.now() - started }
  } catch (error) {
    return { ok: false, status: 0, body: { error: { code: 'NETWORK_ERROR', message: `The service did not answer: ${error.message}` } }, requestId, elapsedMs: performance.now() - started }
  }
}

// ---------------------------------------------------------------- dialogue editing

const turnsList = byId('turns')

const renumberTurns = () => {
  const items = [...turnsList.children]
  items.forEach((item, index) => {
    item.querySelector('.turn-number').textContent = String(index)
    item.querySelector('.turn-speaker').setAttribute('aria-label', `Speaker of turn ${index}`)
    item.querySelector('.turn-text').setAttribute('aria-label', `Text of turn ${index}`)
    item.querySelector('.turn-remove').setAttribute('aria-label', `Remove turn ${index}`)
  })
  refreshSpeakerNames()
}

const addTurn = (turn = { speaker: '', text: '' }, focus = false) => {
  const speaker = element('input', { class: 'turn-speaker', value: turn.speaker, autocomplete: 'off', placeholder: 'Speaker' })
  speaker.setAttribute('list', 'speaker-names')
  const text = element('textarea', { class: 'turn-text', value: turn.text, rows: 2, placeholder: 'What they said' })
  const remove = element('button', { type: 'button', class: 'turn-remove ghost', text: 'Remove' })
  const item = element('li', { class: 'turn' }, [
    element('span', { class: 'turn-number', 'aria-hidden': 'true' }),
    element('div', { class: 'turn-fields' }, [speaker, text]),
    remove,
  ])
  remove.addEventListener('click', () => {
    const next = item.nextElementSibling ?? item.previousElementSibling
    item.remove()
    renumberTurns()
    clearHighlights()
    ;(next?.querySelector('.turn-speaker') ?? byId('add-turn')).focus()
  })
  speaker.addEventListener('input', refreshSpeakerNames)
  turnsList.append(item)
  renumberTurns()
  if (focus) speaker.focus()
  return item
}

const setTurns = (turns) => {
  turnsList.replaceChildren()
  for (const turn of turns) addTurn(turn)
  clearHighlights()
}

/** The dialogue as the API takes it; rows left entirely empty are skipped. */
const readDialogue = () =>
  [...turnsList.children]
    .map((item) => ({ speaker: item.querySelector('.turn-speaker').value.trim(), text: item.querySelector('.turn-text').value }))
    .filter((turn) => turn.speaker !== '' || turn.text.trim() !== '')

const refreshSpeakerNames = () => {
  const names = [...new Set(readDialogue().map((turn) => turn.speaker).filter((name) => name !== ''))]
  byId('speaker-names').replaceChildren(...names.map((name) => element('option', { value: name })))
}

/** "Speaker: text" lines; a line without a colon continues the previous turn. */
const parsePasted = (text) => {
  const turns = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    const match = /^\s*([^:]{1,64}):\s*(.*)$/.exec(line)
    if (match) turns.push({ speaker: match[1].trim(), text: match[2] })
    else if (turns.length > 0) turns[turns.length - 1].text += `\n${line.trim()}`
    else return { problem: `The first line has no "Speaker:" prefix: ${line.trim().slice(0, 60)}` }
  }
  return turns.length === 0 ? { problem: 'There is no turn to take.' } : { turns }
}

const clearHighlights = () => {
  for (const item of turnsList.children) {
    item.classList.remove('is-trigger')
    item.querySelector('.turn-badge')?.remove()
  }
}

const highlightTurn = (index, label) => {
  const item = turnsList.children[index]
  if (item === undefined) return
  item.classList.add('is-trigger')
  item.querySelector('.turn-fields').prepend(element('span', { class: 'turn-badge', text: label }))
}

// ---------------------------------------------------------------- models and status

const loadModels = async () => {
  const select = byId('model-select')
  const hint = byId('model-hint')
  const chosen = select.value
  const response = await callApi('GET', 'v1/models')
  if (!response.ok) {
    hint.textContent = response.body?.error?.code === 'DRIBER_UNAUTHENTICATED' ? 'Enter the API key to list the models.' : `Could not list models: ${response.body?.error?.code ?? response.status}`
    return
  }
  const models = response.body.models ?? []
  const options = [element('option', { value: '', text: 'Default route' })]
  options.push(
    element(
      'optgroup',
      { label: 'Models' },
      models.map((model) => element('option', { value: model.id, text: `${model.id} (${model.scale}, ${model.provider})` })),
    ),
  )
  const scales = [...new Set(models.map((model) => model.scale))]
  if (scales.length > 0) options.push(element('optgroup', { label: 'By scale' }, scales.map((scale) => element('option', { value: scale, text: `Scale: ${scale}` }))))
  select.replaceChildren(...options)
  select.value = [...select.options].some((option) => option.value === chosen) ? chosen : ''
  const routes = response.body.routes ?? {}
  hint.textContent = routes.decide?.length ? `Default route for Decide: ${routes.decide.join(' → ')}` : 'From /v1/models.'
}

const loadStatus = async () => {
  const pill = byId('service-status')
  const response = await callApi('GET', 'readyz')
  const indexes = response.body?.indexes ?? []
  if (response.status === 0) {
    pill.textContent = 'Service unreachable'
    pill.dataset.state = 'bad'
    return
  }
  pill.textContent = response.body?.status === 'ready' ? 'Service ready' : 'Service not ready'
  pill.dataset.state = response.body?.status === 'ready' ? 'good' : 'bad'
  pill.title = indexes.map((index) => `${index.name}: ${index.ready ? `${index.size} images` : index.error ?? 'not ready'}`).join('\n')
  const names = indexes.filter((index) => index.ready).map((index) => index.name)
  byId('index-names').replaceChildren(...names.map((name) => element('option', { value: name })))
  if (names.length > 0) byId('index-hint').textContent = `Where Share and Retrieve look for images: ${names.join(', ')}.`
}

// ---------------------------------------------------------------- results

const blobUrls = []
const releaseBlobs = () => {
  while (blobUrls.length > 0) URL.revokeObjectURL(blobUrls.pop())
}

const resultCards = ['error-box', 'decision-card', 'rank-card', 'descriptions-card', 'images-card', 'cost-card', 'raw-card']
const resetResults = () => {
  for (const id of resultCards) byId(id).hidden = true
  releaseBlobs()
  clearHighlights()
}

const percent = (value) => `${Math.round(value * 100)}%`

const showError = (response) => {
  const error = response.body?.error ?? {}
  byId('error-code').textContent = error.code ?? 'ERROR'
  byId('error-status').textContent = response.status ? `HTTP ${response.status}` : ''
  let message = error.message ?? 'The request failed.'
  if (error.code === 'DRIBER_UNAUTHENTICATED') message += ' Enter a valid API key above.'
  byId('error-message').textContent = message
  const details = byId('error-details')
  details.hidden = error.details === undefined
  details.textContent = error.details === undefined ? '' : JSON.stringify(error.details, null, 2)
  byId('error-box').hidden = false
}

const showDecision = (decision) => {
  const verdict = byId('decision-verdict')
  verdict.textContent = decision.share ? 'Share an image' : 'No image'
  verdict.dataset.share = String(decision.share)
  byId('decision-speaker').textContent = `next speaker: ${decision.speaker}`
  byId('decision-confidence').value = decision.confidence
  byId('decision-confidence-value').textContent = percent(decision.confidence)
  byId('decision-intents').replaceChildren(...decision.intents.map((intent) => element('li', { class: 'chip', text: INTENT_LABELS[intent] ?? intent, title: intent })))
  const trigger = byId('decision-trigger')
  if (decision.trigger) {
    trigger.textContent = `Triggered by turn ${decision.trigger.turn}: “${decision.trigger.text}”`
    highlightTurn(decision.trigger.turn, 'Trigger')
  } else trigger.textContent = 'No single turn triggered it.'
  byId('decision-rationale').textContent = decision.rationale
  byId('decision-anyway').hidden = decision.share
  byId('decision-card').hidden = false
}

const showRank = (candidates) => {
  const rows = candidates.map((candidate, position) =>
    element('tr', {}, [
      element('td', { text: String(candidate.turn) }),
      element('td', { text: candidate.speaker }),
      element('td', { text: candidate.utterance }),
      element('td', { class: 'numeric', text: percent(candidate.confidence) }),
      element('td', { text: candidate.rationale || (position === 0 ? 'Best fit' : '') }),
    ]),
  )
  if (rows.length === 0) rows.push(element('tr', {}, [element('td', { colSpan: 5, text: 'No turn calls for an image.' })]))
  byId('rank-rows').replaceChildren(...rows)
  candidates.forEach((candidate, position) => highlightTurn(candidate.turn, position === 0 ? 'Best fit' : `#${position + 1}`))
  byId('rank-card').hidden = false
}

const showDescriptions = (descriptions) => {
  byId('descriptions').replaceChildren(
    ...descriptions.map((description) =>
      element('li', {}, [
        element('p', { class: 'description-text', text: description.text }),
        element('ul', { class: 'chips subtle', 'aria-label': 'Salient phrases' }, description.salient.map((phrase) => element('li', { class: 'chip', text: phrase }))),
      ]),
    ),
  )
  byId('descriptions-card').hidden = descriptions.length === 0
}

/** Service-relative urls (local-image indexes) are fetched with the key; web urls load directly. */
const loadImage = async (image, url) => {
  const target = new URL(url, apiBase)
  if (target.origin !== window.location.origin) {
    image.src = target.href
    return
  }
  try {
    const response = await fetch(target, { headers: authHeaders() })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    const blobUrl = URL.createObjectURL(await response.blob())
    blobUrls.push(blobUrl)
    image.src = blobUrl
  } catch {
    image.dispatchEvent(new Event('error'))
  }
}

const showImages = (results, indexName) => {
  const items = results.map((result, position) => {
    const image = element('img', { alt: result.caption || result.id, loading: 'lazy', decoding: 'async', referrerPolicy: 'no-referrer' })
    const frame = element('div', { class: 'thumb' }, [image])
    image.addEventListener('error', () => {
      frame.classList.add('is-broken')
      frame.replaceChildren(element('span', { text: 'Image unavailable' }))
    })
    const link = element('a', { class: 'image-link', href: new URL(result.url, apiBase).href, target: '_blank', rel: 'noopener noreferrer', text: result.id })
    // A local image opened in a new tab would go without the key: link to the copy already fetched.
    image.addEventListener('load', () => {
      if (image.src.startsWith('blob:')) link.href = image.src
    })
    void loadImage(image, result.url)
    return element('li', {}, [
      element('figure', { class: 'image-result' }, [
        frame,
        element('figcaption', {}, [
          element('span', { class: 'caption', text: result.caption || '(no caption)' }),
          element('span', { class: 'score', text: `#${position + 1} · score ${result.score.toFixed(3)}` }),
          link,
        ]),
      ]),
    ])
  })
  byId('images').replaceChildren(...items)
  const where = indexName === undefined ? 'the default index' : `index ${indexName}`
  byId('images-index').textContent = results.length === 0 ? `No image matched in ${where}.` : `From ${where}, best first.`
  byId('images-card').hidden = false
}

const showCost = (stages, total, response) => {
  const rows = []
  for (const { stage, attempts } of stages) {
    for (const attempt of attempts) {
      const outcome = attempt.outcome + (attempt.reason ? ` (${attempt.reason})` : '') + (attempt.code ? ` ${attempt.code}` : '')
      rows.push(
        element('tr', { 'data-outcome': attempt.outcome }, [
          element('td', { text: stage }),
          element('td', { text: attempt.model }),
          element('td', { class: 'outcome', text: outcome }),
          element('td', { class: 'numeric', text: `${Math.round(attempt.duration_ms)} ms` }),
        ]),
      )
    }
  }
  byId('attempt-rows').replaceChildren(...rows)
  const usage = []
  for (const { stage, usage: stageUsage } of stages) {
    if (stageUsage) usage.push(element('dt', { text: `${stage} tokens` }), element('dd', { text: `${stageUsage.input_tokens} in · ${stageUsage.output_tokens} out · ${stageUsage.total_tokens} total` }))
  }
  if (total && stages.length > 1) usage.push(element('dt', { text: 'Request tokens' }), element('dd', { text: `${total.total_tokens} total` }))
  byId('usage').replaceChildren(...usage)
  const retries = rows.length - stages.length
  byId('request-meta').textContent = `Request id ${response.requestId} · ${Math.round(response.elapsedMs)} ms round trip${retries > 0 ? ` · ${retries} extra attempt(s): retries, re-asks or fallbacks` : ''}`
  byId('cost-card').hidden = false
}

const showResult = (operation, response) => {
  byId('raw-json').textContent = JSON.stringify(response.body, null, 2)
  byId('raw-card').hidden = false
  if (!response.ok) {
    showError(response)
    const attempts = response.body?.error?.details?.attempts
    if (Array.isArray(attempts)) showCost([{ stage: OPERATION_LABELS[operation], attempts }], undefined, response)
    return
  }
  const body = response.body
  if (operation === 'decide') {
    showDecision(body)
    showCost([{ stage: 'Decide', attempts: body.attempts, usage: body.usage }], body.usage, response)
  } else if (operation === 'rank') {
    showRank(body.candidates)
    showCost([{ stage: 'Rank', attempts: body.attempts, usage: body.usage }], body.usage, response)
  } else if (operation === 'describe') {
    showDescriptions(body.descriptions)
    showCost([{ stage: 'Describe', attempts: body.attempts, usage: body.usage }], body.usage, response)
  } else if (operation === 'explore') {
    showDescriptions(body.describe.descriptions)
    showImages(body.retrieve.results, body.retrieve.index)
    showCost([{ stage: 'Describe', attempts: body.describe.attempts, usage: body.describe.usage }], body.describe.usage, response)
  } else {
    showDecision(body.decision)
    showDescriptions(body.descriptions)
    if (body.decision.share) showImages(body.results, byId('index-name').value.trim() || undefined)
    const stages = [{ stage: 'Decide', attempts: body.decision.attempts, usage: body.decision.usage }]
    if (body.describe) stages.push({ stage: 'Describe', attempts: body.describe.attempts, usage: body.describe.usage })
    showCost(stages, body.usage, response)
  }
}

// ---------------------------------------------------------------- running

const optionalInteger = (id) => {
  const value = byId(id).value.trim()
  return value === '' ? undefined : Number(value)
}

const restrictions = () =>
  [byId('restrict-prefix').checked ? 'prefix' : '', byId('restrict-terms').value, byId('restrict-length').value].filter((value) => value !== '')

const requestFor = (operation) => {
  const body = { dialogue: readDialogue() }
  const speaker = byId('speaker').value.trim()
  const model = byId('model-select').value
  const index = byId('index-name').value.trim()
  if (operation !== 'rank' && speaker !== '') body.speaker = speaker
  if (model !== '') body.model = model
  if (operation === 'rank') body.mode = 'rank'
  if (operation === 'describe' || operation === 'share') {
    body.restrictions = restrictions()
    body.n = optionalInteger('n')
  }
  if (operation === 'share') {
    body.k = optionalInteger('k')
    if (index !== '') body.index = index
  }
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key]
  return body
}

const PATHS = { decide: 'v1/decide', rank: 'v1/decide', describe: 'v1/describe', share: 'v1/share' }

/** Describe, then Retrieve with its descriptions: what Share would show had Decide said yes. */
const describeThenRetrieve = async () => {
  const described = await callApi('POST', 'v1/describe', requestFor('describe'))
  if (!described.ok) return described
  const retrieveBody = { descriptions: described.body.descriptions.map((description) => description.text), k: optionalInteger('k') }
  const index = byId('index-name').value.trim()
  if (index !== '') retrieveBody.index = index
  if (retrieveBody.k === undefined) delete retrieveBody.k
  const retrieved = await callApi('POST', 'v1/retrieve', retrieveBody)
  const elapsedMs = described.elapsedMs + retrieved.elapsedMs
  if (!retrieved.ok) return { ...retrieved, elapsedMs }
  return { ok: true, status: 200, requestId: `${described.requestId}, ${retrieved.requestId}`, elapsedMs, body: { describe: described.body, retrieve: retrieved.body } }
}
let running = false

const run = async (operation) => {
  if (running) return
  running = true
  const buttons = [...document.querySelectorAll('[data-operation]')]
  const focusResults = Boolean(document.activeElement?.closest('#results'))
  for (const button of buttons) button.disabled = true
  const results = byId('results')
  results.setAttribute('aria-busy', 'true')
  byId('run-status').textContent = `Running ${OPERATION_LABELS[operation]}…`
  resetResults()
  try {
    const response = operation === 'explore' ? await describeThenRetrieve() : await callApi('POST', PATHS[operation], requestFor(operation))
    showResult(operation, response)
    byId('run-status').textContent = response.ok
      ? `${OPERATION_LABELS[operation]} answered in ${Math.round(response.elapsedMs)} ms.`
      : `${OPERATION_LABELS[operation]} failed: ${response.body?.error?.code ?? response.status}.`
  } finally {
    results.setAttribute('aria-busy', 'false')
    for (const button of buttons) button.disabled = false
    running = false
    // A button inside the results was replaced or hidden: keep keyboard users in the results.
    if (focusResults) results.focus()
  }
}

// ---------------------------------------------------------------- wiring

const exampleSelect = byId('example-select')
exampleSelect.replaceChildren(...EXAMPLES.map((example, index) => element('option', { value: String(index), text: example.title })))
const loadExample = (index) => {
  const example = EXAMPLES[index]
  setTurns(example.dialogue)
  byId('speaker').value = example.speaker
  resetResults()
  byId('run-status').textContent = `Loaded “${example.title}”. Run an operation.`
}
byId('load-example').addEventListener('click', () => loadExample(Number(exampleSelect.value)))
byId('add-turn').addEventListener('click', () => addTurn(undefined, true))
byId('clear-turns').addEventListener('click', () => {
  setTurns([{ speaker: '', text: '' }])
  turnsList.querySelector('.turn-speaker').focus()
})
byId('paste-apply').addEventListener('click', () => {
  const problem = byId('paste-problem')
  const parsed = parsePasted(byId('paste-text').value)
  problem.hidden = parsed.problem === undefined
  problem.textContent = parsed.problem ?? ''
  if (parsed.turns) setTurns(parsed.turns)
})
for (const button of document.querySelectorAll('[data-operation]')) button.addEventListener('click', () => run(button.dataset.operation))
document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && event.target instanceof HTMLElement && event.target.closest('.layout')) {
    event.preventDefault()
    void run('share')
  }
})
byId('api-key').addEventListener('change', () => void loadModels())

loadExample(0)
void loadStatus()
void loadModels()
