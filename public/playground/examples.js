// Example dialogues the page offers. The first is the README's, so a new user can compare the
// page with the documented answer; the others cover the usual cases, including one where no
// image belongs.
export const EXAMPLES = [
  {
    title: 'Can I see him? (README)',
    speaker: 'Ana',
    dialogue: [
      { speaker: 'Ana', text: 'I adopted a puppy yesterday!' },
      { speaker: 'Ben', text: 'No way! What breed? Can I see him?' },
    ],
  },
  {
    title: 'A new roommate',
    speaker: 'Maya',
    dialogue: [
      { speaker: 'Maya', text: 'Guess who has a new roommate since Saturday.' },
      { speaker: 'Leo', text: 'No way, did you finally adopt the puppy?' },
      { speaker: 'Maya', text: 'Yes! A tiny golden retriever, she already chewed my slippers.' },
    ],
  },
  {
    title: 'Birthday cake',
    speaker: 'Sam',
    dialogue: [
      { speaker: 'Priya', text: 'How did the party go yesterday?' },
      { speaker: 'Sam', text: 'Great, my sister baked a huge chocolate cake with candles all over it.' },
      { speaker: 'Priya', text: 'That sounds amazing, I want to see it.' },
    ],
  },
  {
    title: 'Beach and a sea turtle',
    speaker: 'Ana',
    dialogue: [
      { speaker: 'Ana', text: 'We just got back from the beach!' },
      { speaker: 'Ben', text: 'Nice, how was the water?' },
      { speaker: 'Ana', text: 'Crystal clear, and we saw a sea turtle.' },
    ],
  },
  {
    title: 'Mountain hike',
    speaker: 'Jon',
    dialogue: [
      { speaker: 'Jon', text: 'We reached the summit just before sunrise this morning.' },
      { speaker: 'Kim', text: 'Wow, was it worth waking up at 3am?' },
      { speaker: 'Jon', text: 'Totally, the clouds were below us like a sea.' },
    ],
  },
  {
    title: 'Scheduling (no image expected)',
    speaker: 'Ben',
    dialogue: [
      { speaker: 'Ana', text: 'Can we move our call to Thursday?' },
      { speaker: 'Ben', text: 'Sure, does 3pm work for you?' },
      { speaker: 'Ana', text: 'Perfect, talk then.' },
    ],
  },
]
