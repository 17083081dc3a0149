// Text the simulated accounts post. Written to read well in a demo: short essays, observations and questions.
// `{link}` is replaced by one of `links`, `{mention}` by another account's @handle.

export const people = [
  ['alice', 'Alice Moreau', 'Urban cyclist, amateur astronomer, bad at sourdough.'],
  ['bob', 'Bob Okafor', 'Trains, timetables and the people who keep them.'],
  ['carol', 'Carol Lindqvist', 'Librarian. I read the footnotes so you do not have to.'],
  ['dan', 'Dan Achebe', 'Gardener of small plots and long arguments.'],
  ['erin', 'Erin Takahashi', 'Software, birdsong, and the occasional chess blunder.'],
  ['farah', 'Farah Haddad', 'Historian of everyday things: spoons, maps, queues.'],
  ['gus', 'Gus Petrov', 'I bake, I fix bicycles, I ask too many questions.'],
  ['hana', 'Hana Novak', 'Weather nerd. Clouds are just slow fireworks.'],
  ['ivan', 'Ivan Castillo', 'Forecasting, markets and calibrated humility.'],
  ['june', 'June Abara', 'Music teacher. Currently obsessed with the viola.'],
  ['kofi', 'Kofi Mensah', 'Maps, hiking routes and the odd lighthouse.'],
  ['lena', 'Lena Fischer', 'Physician by day, bad poet by night.'],
] as const

export const links = [
  'https://en.wikipedia.org/wiki/Prediction_market',
  'https://en.wikipedia.org/wiki/Logarithmic_market_scoring_rule',
  'https://www.gutenberg.org/ebooks/1342',
  'https://apod.nasa.gov/apod/astropix.html',
  'https://example.com/notes/on-slowness',
  'https://example.org/field-guide/swifts',
  'https://example.net/recipes/rye-loaf',
  'https://en.wikipedia.org/wiki/Cumulonimbus_cloud',
] as const

export const posts = [
  'Cycled to work in the rain and arrived happier than the people in cars. Wet socks are a small price for a commute that feels like a choice.',
  'Saturn is low in the south-west after sunset this week. Even cheap binoculars show that it is not quite round. Go look.',
  'Hot take: the best feature of any library is the quiet. The books are a close second.',
  'My sourdough starter is seven years old and still has more ambition than I do.',
  'Why do train timetables feel like poetry? Every line is a promise with a number attached.',
  'A good question is worth more than a fast answer. I keep relearning this in meetings.',
  'Planted garlic today. It is the most patient crop: you put it in the ground in autumn and forget it until summer.',
  'Reading about the history of the humble spoon. Turns out people argued for centuries about the right shape.',
  'The swifts are back. For three months the sky over the street is full of screaming sickles.',
  'Calibration is underrated. If you say seventy percent, you should be wrong about three times in ten. Are you?',
  "Spent an hour fixing a neighbour's bicycle. The problem was a single loose bolt. Most problems are.",
  'Cumulonimbus clouds can be taller than Everest. Next time a storm rolls in, remember you are looking at a mountain of water.',
  'What is a book you reread every few years, and what changes each time?',
  'Learning the viola at forty. My cat has left the room permanently.',
  'Maps lie by necessity. The interesting part is which lies the mapmaker chose.',
  'Night shift thought: the hospital corridor at 4 a.m. is the most honest place in the city.',
  "If you could keep only one kitchen knife, which would it be? I say a cheap, sharp, eight-inch chef's knife.",
  'Long essay short: slowness is not laziness. It is how you notice things. {link}',
  'This explainer on prediction markets is the clearest I have read. {link}',
  'Someone asked how the market maker prices thin markets. The short answer is a logarithm. The long answer is here: {link}',
  'Free classic of the day, still funny two centuries later: {link}',
  "Today's astronomy picture is worth a minute of your time. {link}",
  'A field guide to telling swifts from swallows, for the three people who asked: {link}',
  'Rye bread that does not come out like a brick. Recipe and notes here: {link}',
  'Thanks to {mention} for the lighthouse recommendation. Worth every step of the climb.',
  '{mention} was right about the chess opening. I lost in eleven moves and learned more than in a month of wins.',
  'Question for {mention}: what is the oldest timetable you have ever found in an archive?',
  'Reading list suggestions welcome. {mention} has already sent me six, which is a start.',
  'The feed I want is not the loudest one. It is the one a fair jury would stand behind.',
  'Hard to explain why a good map makes me so calm. Everything in its place, even the places I will never go.',
  'Small joy: the sound of a bicycle freewheel on a quiet street.',
  'Weather prediction is humbling. Four days out is a forecast; ten days out is a mood.',
  'There is a particular silence after snowfall that I have never heard anywhere else.',
  'Is it still a garden if the slugs eat more than I do?',
  'The first warm evening of the year and every balcony on the street has someone on it.',
  'Wrote a bad poem, then a slightly less bad one. That is the whole method.',
  'The old station clock is five minutes fast and everyone in town has adjusted their lives around it.',
  'Open question: should a feed ever show you something you will disagree with? I think yes, if it is good.',
] as const

export const replies = [
  'Agreed, and I would add that it gets better with practice.',
  'I had the opposite experience, but I see your point.',
  'This made my morning, thank you.',
  'Do you have a source for this? Genuinely curious.',
  'Ha, same. The cat is still not speaking to me either.',
  'Saving this for later.',
  'Counterpoint: the footnotes are where the real story is.',
  'Tried it yesterday and it worked. Thanks!',
  'I would love to read more about this.',
  'Underrated take.',
  'That is a lovely way to put it.',
  'Not sure I agree, but I have been wrong before.',
] as const

export const quotes = [
  'This is the best thing I have read all week.',
  'Worth reading in full.',
  'Strongly agree with this one.',
  'Respectfully, no. Here is why this misses the point.',
  'Adding this to the reading list.',
  'Someone finally said it.',
  'Good question. My answer: it depends on the season.',
  'Quietly brilliant.',
] as const

export const imageAlts = [
  'A red square with a white diagonal stripe.',
  'A deep blue square, like the sky an hour after sunset.',
  'A green square with a pale diagonal band, like a field path.',
  'An orange square with a white stripe, warm as a late afternoon.',
  'A purple square crossed by a light diagonal line.',
  'A teal square with a bright diagonal, like a river seen from above.',
] as const

export const imageColors: readonly (readonly [number, number, number])[] = [
  [200, 40, 40],
  [30, 50, 140],
  [40, 140, 60],
  [230, 130, 30],
  [120, 50, 160],
  [20, 140, 140],
]

/** Texts that must render as inert text anywhere Curia shows a post. */
export const hostileTexts = [
  '<script>alert(1)</script> is what a careless renderer would run.',
  '<img src=x onerror=alert(1)> a picture is worth a thousand exploits.',
  '"><svg onload=alert(document.cookie)> closing the attribute early, just in case.',
  'Plain text that looks like a link: javascript:alert(1)',
  'Invoice attached: invoice_\u202Efdp.exe (right-to-left override before the extension)',
  '\u202EThis whole sentence is wrapped in a right-to-left override.\u202C Did the layout survive?',
  '[totally safe link](javascript:alert(1)) and **markdown** that should stay literal.',
  '{{constructor.constructor("alert(1)")()}} template injection bait.',
] as const

/** A hostile post whose link facet points at `javascript:`; `anchor` is the text the facet covers. */
export const hostileLinkPost = {
  text: 'Claim your free credits here before the market closes!',
  anchor: 'free credits here',
  uri: 'javascript:alert(1)',
} as const

export const hostileDisplayName = '<b>Mallory</b><script>alert("name")</script>\u202E'
