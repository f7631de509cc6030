/**
 * Writes the small PhotoChat-format fixture the embedded tier's tests fit on
 * (test/fixtures/embedded/photochat-mini.json). The dialogues are composed from lines written for
 * this project by a seeded generator, so the file is reproducible and holds no PhotoChat text.
 *
 *   npx tsx scripts/make-embedded-fixture.ts [--out FILE] [--count N] [--seed S]
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { seededRandom } from '../src/evaluation/seeded-random.js'

interface Topic {
  labels: string[]
  /** Lines by the future sharer. */
  sharer: string[]
  /** Lines by the other person. */
  other: string[]
  /** The sharer's line just before the photo. */
  lead: string[]
  /** The other person's reaction after it. */
  reaction: string[]
}

const TOPICS: Topic[] = [
  { labels: ['Dog', 'Grass'], sharer: ['We adopted a puppy last week', 'He is a little beagle', 'He chews everything in the house'], other: ['Oh wow, what is his name?', 'Is he house trained yet?', 'I love dogs so much'], lead: ['Let me show you how tiny he is', 'Here is a picture of him in the yard'], reaction: ['Aww he is adorable', 'So cute!'] },
  { labels: ['Cake', 'Candle'], sharer: ['I baked a cake for my mom yesterday', 'It was chocolate with strawberries', 'It took me four hours'], other: ['That sounds delicious', 'What was the occasion?', 'You are a good baker'], lead: ['I took a photo before we cut it', 'Want to see it?'], reaction: ['Looks amazing', 'Yum, save me a slice'] },
  { labels: ['Beach', 'Sea', 'Sky'], sharer: ['Just got back from the coast', 'The water was so clear', 'We stayed in a tiny cottage'], other: ['Lucky you, how was the weather?', 'Did you swim?', 'I need a vacation'], lead: ['Check out this view from our balcony', 'Here is the sunset we saw'], reaction: ['Beautiful colours', 'I am so jealous'] },
  { labels: ['Car'], sharer: ['I finally bought a new car', 'It is a red convertible', 'I drove it to work today'], other: ['Congrats! What model?', 'Is it fast?', 'That must have been expensive'], lead: ['I will send you a pic', 'Look at this beauty'], reaction: ['Wow nice ride', 'Take me for a spin'] },
  { labels: ['Flower', 'Garden'], sharer: ['My garden is finally blooming', 'The roses came out this week', 'I planted tulips too'], other: ['How long did that take?', 'I can never keep plants alive', 'What colour are the roses?'], lead: ['Here they are', 'Let me show you the roses'], reaction: ['So pretty', 'Gorgeous garden'] },
  { labels: ['Guitar', 'Man'], sharer: ['I started guitar lessons', 'My teacher is really patient', 'I can play two songs now'], other: ['That is awesome', 'Acoustic or electric?', 'I always wanted to learn'], lead: ['This is my new guitar', 'I have a photo from my first lesson'], reaction: ['Looks great', 'Rock on'] },
  { labels: ['Pizza', 'Table'], sharer: ['We made pizza at home tonight', 'The dough was from scratch', 'Pepperoni and mushrooms'], other: ['Homemade is the best', 'How did it turn out?', 'I am hungry now'], lead: ['Here it is fresh from the oven', 'Take a look'], reaction: ['Looks tasty', 'Invite me next time'] },
  { labels: ['Mountain', 'Snow', 'Tree'], sharer: ['We went hiking in the mountains', 'There was still snow at the top', 'It took six hours'], other: ['That sounds exhausting', 'Was it cold?', 'Which trail was it?'], lead: ['I took this at the summit', 'Look how high we were'], reaction: ['Breathtaking', 'Wow what a view'] },
]

const FILLER_OTHER = ['hi there', 'how are you doing', 'not much, just relaxing', 'ok', 'haha nice', 'really?', 'cool', 'what about you']
const FILLER_SHARER = ['hey!', 'I am good thanks', 'busy week at work', 'yeah', 'sure', 'oh you know, the usual']

const { values } = parseArgs({ options: { out: { type: 'string', default: 'test/fixtures/embedded/photochat-mini.json' }, count: { type: 'string', default: '32' }, seed: { type: 'string', default: '11' } } })
const random = seededRandom(Number(values.seed))
const pick = <T>(items: readonly T[]): T => items[random.below(items.length)] as T

const dialogues = Array.from({ length: Number(values.count) }, (_, id) => {
  const topic = TOPICS[id % TOPICS.length] as Topic
  const sharer = random.below(2)
  const other = 1 - sharer
  const turns: Array<{ message: string; share_photo: boolean; user_id: number }> = []
  const say = (user: number, message: string) => turns.push({ message, share_photo: false, user_id: user })
  say(other, pick(FILLER_OTHER))
  say(sharer, pick(FILLER_SHARER))
  for (let i = 0, count = 2 + random.below(3); i < count; i++) {
    say(sharer, pick(topic.sharer))
    say(other, random.next() < 0.3 ? pick(FILLER_OTHER) : pick(topic.other))
  }
  say(sharer, pick(topic.lead))
  turns.push({ message: '', share_photo: true, user_id: sharer })
  say(other, pick(topic.reaction))
  say(sharer, pick(FILLER_SHARER))
  return { dialogue: turns, dialogue_id: id, photo_description: `Objects in the photo: ${topic.labels.join(', ')}`, photo_url: `https://example.org/driber-fixture/${id}.jpg` }
})
writeFileSync(values.out, `${JSON.stringify(dialogues, null, 1)}\n`)
process.stdout.write(`wrote ${dialogues.length} dialogues to ${values.out}\n`)
