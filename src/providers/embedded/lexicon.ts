/**
 * Word lists the embedded Decide and Describe read: cues for showing and seeing, visual objects,
 * and the word families behind the six intents. Lemmas, lower case. Written for this project
 * from everyday English, not taken from the evaluation data.
 */

export const PHOTO_WORDS = new Set(['photo', 'picture', 'pic', 'pics', 'image', 'snap', 'snapshot', 'selfie', 'shot', 'photograph', 'photography', 'camera', 'video', 'album', 'screenshot'])

export const SHOW_VERBS = new Set(['show', 'send', 'share', 'post', 'attach', 'upload', 'forward', 'text', 'snap'])

export const SEE_VERBS = new Set(['see', 'look', 'check', 'view', 'watch', 'glance', 'peek'])

/** Phrases that offer or ask for a picture, matched on the lower-cased text. */
export const OFFER_PHRASES = [
  'let me show', 'i will show', "i'll show", 'i can show', 'i will send', "i'll send", 'i can send', 'let me send',
  'here is', "here's", 'here it is', 'check this', 'check it out', 'take a look', 'have a look', 'look at this', 'look at that',
  'wanna see', 'want to see', 'you have to see', 'you should see', 'i took', 'i have a picture', 'i have a photo', 'i have a pic',
]

export const REQUEST_PHRASES = [
  'show me', 'send me', 'let me see', 'can i see', 'could i see', 'may i see', 'i want to see', "i'd like to see", 'i would love to see',
  'do you have a picture', 'do you have a photo', 'do you have a pic', 'do you have any', 'what does it look like', 'what do they look like',
  'how does it look', 'what does he look like', 'what does she look like', 'send a pic', 'send a picture', 'share a picture', 'post a pic',
]

/** Concrete things people photograph and talk about (heads of noun phrases). */
export const VISUAL_OBJECTS = new Set([
  // animals
  'dog', 'puppy', 'cat', 'kitten', 'bird', 'horse', 'fish', 'pet', 'animal', 'cow', 'rabbit', 'bunny', 'duck', 'bear', 'lion', 'tiger', 'elephant', 'monkey', 'parrot', 'hamster', 'turtle', 'squirrel', 'butterfly', 'deer', 'chicken', 'pig', 'sheep', 'goat',
  // people
  'baby', 'kid', 'child', 'boy', 'girl', 'man', 'woman', 'family', 'friend', 'son', 'daughter', 'mom', 'dad', 'mother', 'father', 'sister', 'brother', 'wife', 'husband', 'grandma', 'grandmother', 'grandpa', 'grandfather', 'aunt', 'uncle', 'cousin', 'team', 'crowd', 'girlfriend', 'boyfriend', 'niece', 'nephew', 'grandson', 'granddaughter', 'parent', 'bride', 'groom',
  // food and drink
  'food', 'cake', 'pizza', 'burger', 'sandwich', 'salad', 'pasta', 'soup', 'meal', 'dinner', 'lunch', 'breakfast', 'dessert', 'cookie', 'bread', 'fruit', 'apple', 'banana', 'strawberry', 'coffee', 'tea', 'wine', 'beer', 'cocktail', 'drink', 'ice', 'cream', 'chocolate', 'steak', 'sushi', 'noodle', 'taco', 'pie', 'cupcake', 'dish', 'plate', 'vegetable', 'egg', 'cheese', 'juice', 'bottle', 'cup', 'glass', 'bowl', 'muffin', 'donut',
  // places and scenery
  'beach', 'sea', 'ocean', 'lake', 'river', 'mountain', 'hill', 'forest', 'tree', 'flower', 'garden', 'park', 'sky', 'sunset', 'sunrise', 'snow', 'waterfall', 'island', 'view', 'city', 'street', 'bridge', 'building', 'house', 'home', 'room', 'kitchen', 'bedroom', 'church', 'castle', 'tower', 'museum', 'restaurant', 'cafe', 'shop', 'store', 'market', 'stadium', 'pool', 'zoo', 'farm', 'field', 'desert', 'camp', 'tent', 'boat', 'ship', 'yard', 'backyard', 'statue', 'monument', 'fountain', 'temple', 'palace', 'landscape', 'scenery',
  // things
  'car', 'truck', 'bike', 'bicycle', 'motorcycle', 'bus', 'train', 'plane', 'airplane', 'dress', 'shirt', 'shoe', 'hat', 'jacket', 'suit', 'outfit', 'costume', 'jewelry', 'ring', 'necklace', 'watch', 'bag', 'phone', 'computer', 'laptop', 'guitar', 'piano', 'drum', 'book', 'painting', 'drawing', 'art', 'sculpture', 'toy', 'doll', 'ball', 'game', 'table', 'chair', 'sofa', 'couch', 'bed', 'lamp', 'window', 'door', 'tv', 'television', 'furniture', 'decoration', 'tattoo', 'hair', 'haircut', 'makeup', 'glasses', 'sunglasses', 'balloon', 'candle', 'gift', 'present', 'card', 'poster', 'sign', 'flag', 'tool', 'instrument', 'helmet', 'skateboard', 'surfboard', 'kite', 'tent', 'umbrella', 'clock', 'mirror', 'vase', 'kettle', 'teapot',
  // events
  'wedding', 'party', 'birthday', 'concert', 'festival', 'parade', 'graduation', 'christmas', 'halloween', 'vacation', 'trip', 'holiday', 'picnic', 'game', 'match', 'race', 'show', 'performance', 'fireworks', 'celebration', 'ceremony',
])

export const EMOTION_WORDS = new Set([
  'love', 'beautiful', 'amazing', 'awesome', 'cute', 'adorable', 'gorgeous', 'lovely', 'wonderful', 'great', 'nice', 'cool', 'pretty', 'happy', 'sad', 'excited', 'proud', 'delicious', 'yummy', 'tasty', 'perfect', 'fantastic', 'incredible', 'stunning', 'favorite', 'favourite', 'best', 'enjoy', 'wow', 'glad', 'miss', 'sweet', 'fun', 'impressed', 'jealous', 'scared', 'sorry', 'hate', 'ugly', 'terrible',
])

export const HUMOR_WORDS = new Set(['lol', 'haha', 'hahaha', 'lmao', 'rofl', 'funny', 'hilarious', 'joke', 'silly', 'crazy', 'weird', 'goofy', 'laugh', 'prank', 'meme', 'ridiculous'])

export const SOCIAL_WORDS = new Set([
  'family', 'friend', 'kid', 'child', 'baby', 'mom', 'dad', 'mother', 'father', 'sister', 'brother', 'wife', 'husband', 'son', 'daughter', 'grandma', 'grandpa', 'together', 'miss', 'visit', 'party', 'wedding', 'birthday', 'reunion', 'hang', 'meet', 'girlfriend', 'boyfriend', 'cousin', 'aunt', 'uncle', 'hug', 'congratulations', 'congrats',
])

/** Words that mark a recent personal experience (often followed by showing a photo of it). */
export const EXPERIENCE_WORDS = new Set([
  'go', 'get', 'buy', 'make', 'visit', 'take', 'bake', 'cook', 'adopt', 'paint', 'build', 'finish', 'win', 'travel', 'yesterday', 'today', 'weekend', 'tonight', 'last', 'new', 'just', 'recently', 'trip', 'vacation', 'holiday',
])

export const ACKNOWLEDGEMENTS = new Set(['ok', 'okay', 'wow', 'cool', 'nice', 'really', 'yes', 'yeah', 'yep', 'sure', 'great', 'lol', 'haha', 'oh', 'awesome', 'good', 'thanks', 'alright', 'right', 'hmm', 'omg'])

export const QUESTION_STARTS = new Set(['what', 'where', 'when', 'who', 'why', 'how', 'which', 'do', 'does', 'did', 'is', 'are', 'was', 'were', 'can', 'could', 'will', 'would', 'have', 'has', 'should', 'may'])

/** Nouns too vague to describe a picture with. */
export const VAGUE_NOUNS = new Set([
  'thing', 'stuff', 'lot', 'time', 'way', 'day', 'week', 'year', 'month', 'today', 'tomorrow', 'yesterday', 'night', 'morning', 'something', 'anything', 'everything', 'one', 'bit', 'kind', 'sort', 'idea', 'fun', 'plan', 'place', 'moment', 'minute', 'hour', 'part', 'people', 'person', 'guy', 'guys', 'u', 'hi', 'hello', 'hey', 'lol', 'haha', 'wow', 'ok', 'okay', 'yes', 'yeah', 'thanks', 'thank', 'omg', 'sure', 'nice', 'cool', 'awesome', 'great', 'good', 'bye', 'tonight', 'weekend', 'end', 'fact', 'question', 'answer', 'name', 'reason', 'chance', 'job', 'work', 'life', 'news', 'luck', 'problem', 'matter', 'look', 'hope', 'sense', 'number', 'use', 'point', 'side', 'half', 'rest', 'type', 'dear', 'buddy', 'dude', 'bro', 'alright', 'breed', 'kind', 'color', 'colour', 'size', 'shape', 'style',
])

/** Nouns read without "a" ("food", not "a food"). */
export const MASS_NOUNS = new Set(['food', 'water', 'grass', 'snow', 'sand', 'hair', 'furniture', 'art', 'coffee', 'tea', 'wine', 'beer', 'juice', 'bread', 'cheese', 'chocolate', 'ice', 'cream', 'fruit', 'scenery', 'jewelry', 'clothing', 'sky', 'fog', 'rain', 'sunshine', 'traffic', 'luggage', 'money', 'music', 'pasta', 'rice', 'soup', 'salad', 'meat', 'fish', 'sushi', 'greenery', 'nature', 'dessert', 'breakfast', 'lunch', 'dinner'])

/** Chat shorthand the tagger often mistakes for nouns. */
export const SLANG = new Set(['wanna', 'gonna', 'gotta', 'kinda', 'sorta', 'lemme', 'dunno', 'ya', 'yea', 'yeah', 'yep', 'nope', 'lol', 'lmao', 'omg', 'idk', 'tbh', 'btw', 'srsly', 'sho', 'fo', 'ur', 'thx', 'pls', 'plz', 'bc', 'cuz', 'coz', 'haha', 'hehe', 'hmm', 'ooh', 'aww', 'wow', 'yay', 'nah', 'ok', 'okay'])

/** Adjectives that judge or count rather than show ("new", "favorite", "amazing"): dropped from descriptions. */
export const NON_VISUAL_MODIFIERS = new Set([
  'new', 'old', 'different', 'odd', 'other', 'same', 'favorite', 'favourite', 'amazing', 'great', 'good', 'nice', 'best', 'better', 'last', 'next', 'first', 'whole', 'real', 'own', 'only', 'such', 'many', 'much', 'few', 'several', 'certain', 'sure', 'cool', 'awesome', 'fun', 'crazy', 'weird', 'lovely', 'perfect', 'fantastic', 'incredible', 'wonderful', 'terrible', 'bad', 'awful', 'special', 'important', 'usual', 'typical', 'recent', 'current', 'entire', 'possible', 'nice', 'interesting', 'boring', 'busy', 'free', 'lucky', 'happy', 'sad', 'glad', 'thing', 'kind',
])

/**
 * Object labels too broad to write into a description: taxonomy ("Carnivore" is a dog and a cat
 * alike, so a dog's "carnivore" retrieves cats), body parts and photo genres. They name no subject
 * a person would write and pull Retrieve towards every other member of the class. Lower case.
 */
export const BROAD_LABELS = new Set([
  'animal', 'mammal', 'carnivore', 'organism', 'terrestrial animal', 'felidae', 'invertebrate', 'vertebrate', 'small to medium-sized cats', 'animal figure',
  'human', 'human body', 'male person', 'adult', 'face', 'head', 'nose', 'mouth', 'eye', 'ear', 'hand', 'arm', 'leg', 'hair', 'smile', 'snout', 'whiskers', 'beard',
  'stock photography', 'illustration', 'cartoon', 'art', 'drawing', 'sketch', 'child art',
])

/**
 * Labels that name a class of things people call by it ("a chocolate cake, a dessert"): written as
 * the subject's own kind when close to it. Animal and people kinds come from the hypernym map
 * instead, since GloVe puts a puppy as close to "cat" as to "dog". Lower case.
 */
export const CLASS_LABELS = new Set([
  'dessert', 'drink', 'food', 'baked goods', 'fast food', 'snack', 'pastry', 'seafood', 'fruit', 'vegetable', 'dairy',
  'clothing', 'footwear', 'fashion accessory', 'vehicle', 'land vehicle', 'furniture', 'tableware', 'plant', 'flower', 'houseplant',
])
