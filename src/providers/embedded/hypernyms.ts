/**
 * A small map from specific things to the everyday word for their kind, for `generic` descriptions
 * ("golden retriever" -> "dog"). Keys are head-noun lemmas; anything unknown keeps its head noun.
 */
export const HYPERNYMS: Readonly<Record<string, string>> = {
  // dogs and cats
  retriever: 'dog', labrador: 'dog', poodle: 'dog', terrier: 'dog', bulldog: 'dog', beagle: 'dog', husky: 'dog', shepherd: 'dog', corgi: 'dog', pug: 'dog', chihuahua: 'dog', dachshund: 'dog', puppy: 'dog', pup: 'dog', doggy: 'dog', doggo: 'dog',
  kitten: 'cat', kitty: 'cat', tabby: 'cat', siamese: 'cat', persian: 'cat',
  // other animals
  parrot: 'bird', eagle: 'bird', owl: 'bird', pigeon: 'bird', sparrow: 'bird', seagull: 'bird', penguin: 'bird', hawk: 'bird',
  salmon: 'fish', trout: 'fish', goldfish: 'fish', shark: 'fish', tuna: 'fish',
  pony: 'horse', stallion: 'horse', mare: 'horse', bunny: 'rabbit', calf: 'cow', lamb: 'sheep',
  // food
  pizza: 'food', burger: 'food', hamburger: 'food', sandwich: 'food', taco: 'food', sushi: 'food', pasta: 'food', spaghetti: 'food', lasagna: 'food', steak: 'food', noodle: 'food', ramen: 'food', curry: 'food', fries: 'food', salad: 'food', soup: 'food', omelette: 'food',
  cupcake: 'cake', cheesecake: 'cake', muffin: 'pastry', croissant: 'pastry', donut: 'pastry', doughnut: 'pastry', cookie: 'dessert', brownie: 'dessert', pie: 'dessert', pudding: 'dessert', icecream: 'dessert',
  latte: 'coffee', cappuccino: 'coffee', espresso: 'coffee', mocha: 'coffee',
  merlot: 'wine', champagne: 'wine', beer: 'drink', cocktail: 'drink', margarita: 'drink', smoothie: 'drink', soda: 'drink', juice: 'drink', lemonade: 'drink',
  strawberry: 'fruit', apple: 'fruit', banana: 'fruit', mango: 'fruit', orange: 'fruit', grape: 'fruit', peach: 'fruit', cherry: 'fruit', watermelon: 'fruit', pineapple: 'fruit',
  tomato: 'vegetable', carrot: 'vegetable', broccoli: 'vegetable', potato: 'vegetable', lettuce: 'vegetable', pepper: 'vegetable',
  // vehicles
  sedan: 'car', suv: 'car', convertible: 'car', jeep: 'car', tesla: 'car', mustang: 'car', corvette: 'car', porsche: 'car', ferrari: 'car', toyota: 'car', honda: 'car', truck: 'vehicle', van: 'vehicle', motorbike: 'motorcycle', harley: 'motorcycle', scooter: 'vehicle',
  yacht: 'boat', sailboat: 'boat', canoe: 'boat', kayak: 'boat', ship: 'boat', jet: 'airplane', plane: 'airplane',
  // devices and things
  iphone: 'phone', smartphone: 'phone', android: 'phone', cellphone: 'phone', macbook: 'laptop', notebook: 'laptop', ipad: 'tablet', tv: 'television', playstation: 'game console', xbox: 'game console', nintendo: 'game console',
  sneaker: 'shoe', boot: 'shoe', heel: 'shoe', sandal: 'shoe', tuxedo: 'suit', gown: 'dress', skirt: 'clothing', jean: 'clothing', jeans: 'clothing', sweater: 'clothing', hoodie: 'clothing', tshirt: 'shirt', blouse: 'shirt',
  necklace: 'jewelry', bracelet: 'jewelry', earring: 'jewelry', ring: 'jewelry',
  rose: 'flower', tulip: 'flower', daisy: 'flower', sunflower: 'flower', lily: 'flower', orchid: 'flower', bouquet: 'flower',
  oak: 'tree', pine: 'tree', palm: 'tree', maple: 'tree',
  guitar: 'instrument', violin: 'instrument', piano: 'instrument', drum: 'instrument', ukulele: 'instrument', saxophone: 'instrument',
  couch: 'sofa', armchair: 'chair', recliner: 'chair',
  // people
  mom: 'woman', mother: 'woman', mum: 'woman', grandma: 'woman', grandmother: 'woman', aunt: 'woman', wife: 'woman', sister: 'woman', daughter: 'girl', niece: 'girl', girlfriend: 'woman', bride: 'woman',
  dad: 'man', father: 'man', grandpa: 'man', grandfather: 'man', uncle: 'man', husband: 'man', brother: 'man', son: 'boy', nephew: 'boy', boyfriend: 'man', groom: 'man',
  toddler: 'child', kid: 'child', infant: 'baby', newborn: 'baby',
  // places
  seaside: 'beach', shore: 'beach', coast: 'beach', cottage: 'house', cabin: 'house', mansion: 'house', apartment: 'home', condo: 'home', cathedral: 'church', chapel: 'church', skyscraper: 'building', tower: 'building',
  bistro: 'restaurant', diner: 'restaurant', pub: 'bar', mall: 'store', supermarket: 'store', boutique: 'store',
}

/** The generic word for a head-noun lemma. */
export const genericTerm = (head: string): string => HYPERNYMS[head] ?? head
