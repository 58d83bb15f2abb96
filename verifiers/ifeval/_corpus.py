"""Shipped text for the IFEval prompt generator: base tasks, keyword words and filler sentences.

Everything here is written for this project (no downloads). The text is comma-free and has no markdown
so that filler never breaks a "no commas", bullet, highlight or placeholder instruction by accident.
"""

from __future__ import annotations

BASE_TASKS: tuple[str, ...] = (
    "Write a short story about a lighthouse keeper.",
    "Describe your ideal weekend in the mountains.",
    "Explain how a bicycle works to a ten year old.",
    "Write a product description for a reusable water bottle.",
    "Give advice to a student starting university.",
    "Write a letter to a friend who moved to another country.",
    "Summarize the benefits of learning a second language.",
    "Describe a busy market in the morning.",
    "Write a review of a small family restaurant.",
    "Explain why sleep is important for health.",
    "Write a poem about the changing seasons.",
    "Describe the life cycle of a butterfly.",
    "Write a speech for the opening of a community garden.",
    "Explain how to make a cup of tea.",
    "Write a blog post about working from home.",
    "Describe a journey on a night train.",
    "Write a job advertisement for a bakery assistant.",
    "Explain the water cycle in simple terms.",
    "Write a diary entry from a sailor lost at sea.",
    "Describe the perfect city park.",
    "Write a short biography of an imaginary inventor.",
    "Give tips for saving money on groceries.",
    "Write a thank you note to a teacher.",
    "Explain how plants make their food.",
    "Write an advertisement for a new board game.",
    "Describe a thunderstorm from the point of view of a cat.",
    "Write a story about a robot who learns to paint.",
    "Explain the rules of a game you invented.",
    "Write a travel guide entry for a fictional island.",
    "Describe how to plan a birthday party.",
    "Write a complaint letter about a late delivery.",
    "Explain why people enjoy music.",
    "Write a short fable with a moral.",
    "Describe the sounds of a forest at night.",
    "Write an email asking a neighbour to borrow a ladder.",
    "Explain how to care for a houseplant.",
    "Write a news report about a town festival.",
    "Describe your favourite meal and how it is cooked.",
    "Write a pitch for a mobile app that helps people walk more.",
    "Explain what makes a good friend.",
    "Write a riddle and then explain its answer.",
    "Describe a library from the point of view of a book.",
    "Write a motivational message for a sports team.",
    "Explain how recycling helps the environment.",
    "Write a scene where two strangers share an umbrella.",
    "Describe the first day at a new job.",
    "Write instructions for building a simple kite.",
    "Explain the history of a made up holiday.",
    "Write a lullaby for a sleepy dragon.",
    "Describe what the city might look like in one hundred years.",
)

# Keywords, forbidden words and first words are drawn from here; none is a substring of the fixed
# phrases the generator uses (end phrases, markers, section splitters).
KEYWORDS: tuple[str, ...] = (
    "garden", "river", "window", "lantern", "harbor", "mountain", "coffee", "journey", "market", "puzzle",
    "candle", "forest", "bridge", "letter", "thunder", "winter", "silver", "compass", "meadow", "castle",
    "ocean", "planet", "violin", "pepper", "ladder", "blanket", "village", "shadow", "engine", "pocket",
    "feather", "orchard", "tunnel", "summer", "basket", "marble", "rocket", "island", "cabin", "pillow",
    "dragon", "mirror", "jacket", "tomato", "canvas", "harvest", "whistle", "glacier", "parrot", "lemon",
)

# English filler: real sentences, so langdetect calls them English even in capitals or lowercase.
ENGLISH_SENTENCES: tuple[str, ...] = (
    "The morning light came slowly over the quiet town.",
    "People gathered near the old stone bridge to talk about their plans.",
    "Every small step makes the long road feel much shorter.",
    "The children laughed while the dog chased its own tail.",
    "Good work often begins with a simple and honest question.",
    "We walked along the shore until the sun went down.",
    "The teacher explained the idea again with great patience.",
    "Fresh bread from the bakery filled the street with warmth.",
    "Nobody expected the storm to pass so quickly that day.",
    "Our team worked hard and finished the project on time.",
    "The garden looked bright after the long spring rain.",
    "She wrote down every detail so that nothing would be lost.",
    "Music can change the mood of a room in seconds.",
    "They shared stories about the places they had visited.",
    "His plan was simple but it worked better than expected.",
    "The train left the station just after the bell rang.",
    "Reading before bed helps many people relax and sleep well.",
    "The map showed a path through the hills to the lake.",
    "Clear goals make it easier to measure real progress.",
    "The old clock in the hall still keeps perfect time.",
    "Most problems look smaller after a good night of rest.",
    "We can learn something useful from almost every mistake.",
    "The market was full of colors and friendly voices.",
    "Kind words cost nothing but they mean a great deal.",
)

# Plain English words for padding when a banned letter or word rules out every whole sentence.
ENGLISH_WORDS: tuple[str, ...] = (
    "the", "and", "with", "from", "that", "this", "they", "will", "about", "over", "into", "after", "before",
    "while", "because", "people", "work", "time", "day", "night", "world", "light", "water", "road", "home",
    "story", "plan", "idea", "friend", "family", "city", "town", "small", "good", "great", "long", "old",
    "new", "bright", "calm", "quick", "slow", "warm", "cold", "happy", "simple", "useful", "walk", "talk",
    "build", "learn", "share", "find", "keep", "bring", "carry", "sing", "run", "stay", "grow", "hold",
    "look", "turn", "today", "always", "often", "again", "soon", "still", "very", "much", "many", "most",
    "our", "your", "their", "his", "was", "not", "but", "all", "for", "you", "can", "just", "up", "out",
)

CAPITAL_WORDS: tuple[str, ...] = ("NOTE", "IMPORTANT", "KEY", "ALWAYS", "NEVER", "TODAY", "REMEMBER", "CLEAR")

TITLE_WORDS: tuple[str, ...] = ("Quiet Morning", "The Long Road", "Small Steps", "Bright Harbor", "Open Window")

END_PHRASES: tuple[str, ...] = (
    "Any other questions?",
    "Is there anything else I can help with?",
    "Let me know if you have additional questions.",
    "Peace out.",
)

# Three sentences per language, each confirmed by seeded langdetect (tests/verifiers/ifeval).
LANGUAGE_SENTENCES: dict[str, tuple[str, ...]] = {
    "es": ("El tiempo es muy agradable hoy en la ciudad.", "Los niños juegan en el parque con sus amigos.", "Nosotros vamos a comer juntos esta noche en casa."),
    "fr": ("Le temps est très agréable aujourd'hui dans la ville.", "Les enfants jouent dans le parc avec leurs amis.", "Nous allons manger ensemble ce soir à la maison."),
    "de": ("Das Wetter ist heute in der Stadt sehr angenehm.", "Die Kinder spielen mit ihren Freunden im Park.", "Wir essen heute Abend zusammen zu Hause."),
    "it": ("Il tempo è molto piacevole oggi in città.", "I bambini giocano nel parco con i loro amici.", "Stasera mangiamo insieme a casa nostra."),
    "pt": ("O tempo está muito agradável hoje na cidade.", "As crianças brincam no parque com os seus amigos.", "Nós vamos jantar juntos esta noite em casa."),
    "ru": ("Сегодня в городе очень приятная погода.", "Дети играют в парке со своими друзьями.", "Сегодня вечером мы ужинаем вместе дома."),
    "uk": ("Сьогодні в місті дуже приємна погода.", "Діти граються в парку зі своїми друзями.", "Сьогодні ввечері ми вечеряємо разом удома."),
    "bg": ("Днес времето в града е много приятно.", "Децата играят в парка със своите приятели.", "Тази вечер ще вечеряме заедно у дома."),
    "pl": ("Dzisiaj pogoda w mieście jest bardzo przyjemna.", "Dzieci bawią się w parku ze swoimi przyjaciółmi.", "Dziś wieczorem jemy razem kolację w domu."),
    "fi": ("Tänään sää on kaupungissa hyvin miellyttävä.", "Lapset leikkivät puistossa ystäviensä kanssa.", "Syömme tänä iltana yhdessä kotona."),
    "vi": ("Hôm nay thời tiết trong thành phố rất dễ chịu.", "Trẻ em chơi trong công viên với bạn bè của chúng.", "Tối nay chúng tôi ăn tối cùng nhau ở nhà."),
    "sw": ("Leo hali ya hewa katika mji ni nzuri sana.", "Watoto wanacheza katika bustani pamoja na marafiki zao.", "Jioni hii tutakula chakula pamoja nyumbani."),
    "ja": ("今日は町の天気がとても良いです。", "子供たちは友達と公園で遊んでいます。", "今夜は家族と一緒に家で夕食を食べます。"),
    "ko": ("오늘 도시의 날씨는 아주 좋습니다.", "아이들이 친구들과 함께 공원에서 놀고 있습니다.", "우리는 오늘 저녁에 집에서 함께 식사를 합니다."),
    "ar": ("الطقس اليوم جميل جدا في المدينة.", "يلعب الأطفال في الحديقة مع أصدقائهم.", "سوف نتناول العشاء معا في البيت هذا المساء."),
    "fa": ("امروز هوا در شهر بسیار خوب است.", "بچه ها با دوستانشان در پارک بازی می کنند.", "ما امشب با هم در خانه شام می خوریم."),
    "ur": ("آج شہر میں موسم بہت اچھا ہے۔", "بچے اپنے دوستوں کے ساتھ پارک میں کھیل رہے ہیں۔", "ہم آج رات گھر پر مل کر کھانا کھائیں گے۔"),
    "he": ("היום מזג האוויר בעיר נעים מאוד.", "הילדים משחקים בפארק עם החברים שלהם.", "הערב אנחנו אוכלים ארוחת ערב יחד בבית."),
    "hi": ("आज शहर में मौसम बहुत अच्छा है।", "बच्चे अपने दोस्तों के साथ पार्क में खेल रहे हैं।", "हम आज रात घर पर साथ में खाना खाएंगे।"),
    "mr": ("आज शहरात हवामान खूप छान आहे.", "मुले आपल्या मित्रांसोबत बागेत खेळत आहेत.", "आज रात्री आम्ही घरी एकत्र जेवण करणार आहोत."),
    "ne": ("आज सहरमा मौसम धेरै राम्रो छ।", "केटाकेटीहरू आफ्ना साथीहरूसँग पार्कमा खेलिरहेका छन्।", "आज बेलुका हामी घरमा सँगै खाना खान्छौं।"),
    "bn": ("আজ শহরের আবহাওয়া খুব সুন্দর।", "শিশুরা তাদের বন্ধুদের সাথে পার্কে খেলছে।", "আজ রাতে আমরা বাড়িতে একসাথে খাবার খাব।"),
    "gu": ("આજે શહેરમાં હવામાન ખૂબ સરસ છે.", "બાળકો તેમના મિત્રો સાથે બગીચામાં રમે છે.", "આજે રાત્રે અમે ઘરે સાથે જમીશું."),
    "pa": ("ਅੱਜ ਸ਼ਹਿਰ ਵਿੱਚ ਮੌਸਮ ਬਹੁਤ ਵਧੀਆ ਹੈ।", "ਬੱਚੇ ਆਪਣੇ ਦੋਸਤਾਂ ਨਾਲ ਪਾਰਕ ਵਿੱਚ ਖੇਡ ਰਹੇ ਹਨ।", "ਅੱਜ ਰਾਤ ਅਸੀਂ ਘਰ ਵਿੱਚ ਇਕੱਠੇ ਖਾਣਾ ਖਾਵਾਂਗੇ।"),
    "ta": ("இன்று நகரத்தில் வானிலை மிகவும் நன்றாக உள்ளது.", "குழந்தைகள் தங்கள் நண்பர்களுடன் பூங்காவில் விளையாடுகிறார்கள்.", "இன்று இரவு நாங்கள் வீட்டில் ஒன்றாக சாப்பிடுவோம்."),
    "te": ("ఈ రోజు నగరంలో వాతావరణం చాలా బాగుంది.", "పిల్లలు తమ స్నేహితులతో పార్కులో ఆడుకుంటున్నారు.", "ఈ రాత్రి మేము ఇంట్లో కలిసి భోజనం చేస్తాము."),
    "kn": ("ಇಂದು ನಗರದಲ್ಲಿ ಹವಾಮಾನ ತುಂಬಾ ಚೆನ್ನಾಗಿದೆ.", "ಮಕ್ಕಳು ತಮ್ಮ ಸ್ನೇಹಿತರೊಂದಿಗೆ ಉದ್ಯಾನದಲ್ಲಿ ಆಡುತ್ತಿದ್ದಾರೆ.", "ಇಂದು ರಾತ್ರಿ ನಾವು ಮನೆಯಲ್ಲಿ ಒಟ್ಟಿಗೆ ಊಟ ಮಾಡುತ್ತೇವೆ."),
    "ml": ("ഇന്ന് നഗരത്തിൽ കാലാവസ്ഥ വളരെ നല്ലതാണ്.", "കുട്ടികൾ അവരുടെ കൂട്ടുകാരോടൊപ്പം പാർക്കിൽ കളിക്കുന്നു.", "ഇന്ന് രാത്രി ഞങ്ങൾ വീട്ടിൽ ഒരുമിച്ച് ഭക്ഷണം കഴിക്കും."),
    "th": ("วันนี้อากาศในเมืองดีมาก", "เด็กๆ กำลังเล่นในสวนสาธารณะกับเพื่อนของพวกเขา", "คืนนี้เราจะกินข้าวเย็นด้วยกันที่บ้าน"),
}

# Google's ISO 639-1 codes and names (instructions_util.LANGUAGE_CODES).
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "es": "Spanish", "pt": "Portuguese", "ar": "Arabic", "hi": "Hindi", "fr": "French",
    "ru": "Russian", "de": "German", "ja": "Japanese", "it": "Italian", "bn": "Bengali", "uk": "Ukrainian",
    "th": "Thai", "ur": "Urdu", "ta": "Tamil", "te": "Telugu", "bg": "Bulgarian", "ko": "Korean",
    "pl": "Polish", "he": "Hebrew", "fa": "Persian", "vi": "Vietnamese", "ne": "Nepali", "sw": "Swahili",
    "kn": "Kannada", "mr": "Marathi", "gu": "Gujarati", "pa": "Punjabi", "ml": "Malayalam", "fi": "Finnish",
}
