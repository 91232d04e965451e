"""The words the drafting rules know: titles, role nouns, speech verbs, demonyms, stop words.

English and French. Kept apart from the rules so a missing title is a one-line fix here.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()

# Titles written before a name, capitalised ("Secretary of State Rex Tillerson", "Iraqi Prime
# Minister Haider al-Abadi"); longest first so "Prime Minister" wins over "Minister".
TITLES = sorted((tuple(t.split()) for t in (
    "Secretary of State", "Secretary-General", "Secretary General", "Secretary", "Prime Minister",
    "Deputy Prime Minister", "Foreign Minister", "Defense Minister", "Defence Minister",
    "Interior Minister", "Finance Minister", "Oil Minister", "Minister", "President",
    "Vice President", "Vice-President", "Spokesman", "Spokeswoman", "Spokesperson", "Senator",
    "Sen.", "Rep.", "Representative", "Governor", "Gov.", "Mayor", "General", "Gen.",
    "Lt. Gen.", "Maj. Gen.", "Brig. Gen.", "Colonel", "Col.", "Commander", "Chief",
    "Chairman", "Chairwoman", "Director", "Speaker", "King", "Queen", "Crown Prince", "Prince",
    "Sheikh", "Emir", "Ayatollah", "Grand Ayatollah", "Supreme Leader", "Chancellor", "Pope",
    "Ambassador", "Envoy", "Special Envoy", "Judge", "Dr.", "Professor", "Prof.",
    # French, capitalised as titles are after le/la ("le Premier ministre Édouard Philippe").
    "Premier ministre", "M.", "Mme",
)), key=len, reverse=True)

# French titles are lowercase before the name: "le président Emmanuel Macron", "la
# porte-parole Sibeth Ndiaye", "le ministre des Affaires étrangères Jean-Yves Le Drian".
FRENCH_TITLES = ("président", "présidente", "premier ministre", "première ministre", "ministre",
                 "porte-parole", "général", "commandant", "chef", "dirigeant", "ayatollah",
                 "cheikh", "ambassadeur", "ambassadrice", "émir", "roi", "reine", "maire",
                 "sénateur", "sénatrice", "député", "députée")

# Nouns that make an apposition a role: "Qais al-Khazali, the head of Asa’ib Ahl al-Haq,".
ROLE_NOUNS = (
    "head", "leader", "chief", "spokesman", "spokeswoman", "spokesperson", "minister",
    "president", "director", "commander", "founder", "chairman", "chairwoman", "chair",
    "secretary", "ambassador", "envoy", "analyst", "researcher", "fellow", "professor", "expert",
    "official", "adviser", "advisor", "member", "lawmaker", "senator", "general", "governor",
    "mayor", "editor", "correspondent", "cleric", "scholar", "economist", "deputy", "lawyer",
    "activist", "officer", "diplomat", "negotiator", "representative", "coordinator", "manager",
    "executive", "strategist", "historian", "author", "journalist", "speaker", "mufti",
    # French
    "chef", "dirigeant", "dirigeante", "porte-parole", "ministre", "président", "présidente",
    "directeur", "directrice", "commandant", "secrétaire", "ambassadeur", "ambassadrice",
    "chercheur", "chercheuse", "analyste", "député", "députée", "sénateur", "sénatrice",
    "conseiller", "conseillère", "responsable", "fondateur", "fondatrice", "représentant",
    "représentante", "envoyé", "envoyée", "général", "maire", "expert", "experte",
    "spécialiste", "professeur", "professeure", "politologue", "historien", "historienne",
)

# Verbs that attribute words to someone; matched as whole words, outside quotations.
SPEECH_VERBS = frozenset(_words("""
said says say told tells tweeted tweets wrote writes posted added adds stressed stresses
stressing argued argues arguing warned warns warning insisted insists noted notes declared
declares explained explains claimed claims urged urges asked asks replied replies responded
announced acknowledged admitted suggested predicted denied accused complained cautioned
recalled observed countered concluded emphasized emphasised emphasizing emphasising maintained
commented remarked promised vowed pledged threatened dismissed derided called calls saying
telling writing adding
déclaré dit affirmé estimé ajouté souligné expliqué averti indiqué jugé dénoncé assuré
tweeté écrit confié rappelé insisté prévenu martelé lancé répondu déploré regretté
déclare affirme estime ajoute souligne explique assure rappelle martèle prévient dénonce
juge regrette déplore répond
"""))

# Arabic speech verbs, with and without the conjunction و; the subject follows the verb
# ("قال المتحدث باسم الحشد الشعبي أحمد الأسدي إن …") or is the last person named ("وأضاف").
ARABIC_VERBS = frozenset(_words("""
قال قالت أضاف أضافت أكد أكدت صرح صرحت كتب كتبت غرد غردت اعتبر اعتبرت أوضح أوضحت شدد شددت
""")) | frozenset("و" + v for v in _words("""
قال قالت أضاف أضافت أكد أكدت صرح صرحت كتب كتبت غرد غردت اعتبر اعتبرت أوضح أوضحت شدد شددت
"""))
# Arabic titles that open the phrase before a name: المتحدث باسم …، رئيس الوزراء …، وزير …
ARABIC_TITLES = ("المتحدث", "المتحدثة", "متحدث", "رئيس", "رئيسة", "وزير", "وزيرة", "زعيم",
                 "قائد", "الأمين", "أمين", "نائب", "سفير", "المبعوث", "مبعوث", "الناطق", "مدير",
                 "الرئيس", "الشيخ", "رجل الدين")

# "according to X", "selon X": the speaker follows.
ACCORDING_TO = ("according to", "selon", "d’après", "d'après", "وفقا لـ", "بحسب", "حسب")

# Affiliation words that name a country.
DEMONYMS = {
    "U.S.": "United States", "US": "United States", "American": "United States",
    "U.K.": "United Kingdom", "UK": "United Kingdom", "British": "United Kingdom",
    "Iraqi": "Iraq", "Iranian": "Iran", "Syrian": "Syria", "Saudi": "Saudi Arabia",
    "Turkish": "Turkey", "Israeli": "Israel", "Palestinian": "Palestine", "Lebanese": "Lebanon",
    "Jordanian": "Jordan", "Egyptian": "Egypt", "Yemeni": "Yemen", "Emirati": "United Arab "
    "Emirates", "Qatari": "Qatar", "Kuwaiti": "Kuwait", "Russian": "Russia", "Chinese": "China",
    "French": "France", "German": "Germany", "Kurdish": "Kurdistan", "Libyan": "Libya",
    "Tunisian": "Tunisia", "Algerian": "Algeria", "Moroccan": "Morocco", "Omani": "Oman",
    "Bahraini": "Bahrain", "Afghan": "Afghanistan", "Pakistani": "Pakistan", "Indian": "India",
    "Sudanese": "Sudan",
}

# Capitalised words that open sentences or clauses and are never part of a name.
STOP_WORDS = frozenset(_words("""
The A An But And Or So Yet Still Then When While After Before During Since Although Though
If As At In On Of For From By With Without Under Over Into Last Next This That These Those
Separately Meanwhile However Also Speaking Comment Earlier Later Today Yesterday Tomorrow
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
July August September October November December It Its He She They We I You His Her Their Our
There Here Where What Who Why How Some Many Most Several Both Each Every Such Not No Yes
Le La Les Un Une Des Du Au Aux Et Mais Ou Donc Car Pour Par Dans Sur Selon Lors Pendant Après
Avant Depuis Il Elle Ils Elles Ce Cette Ces Son Sa Ses Leur Leurs Lundi Mardi Mercredi Jeudi
Vendredi Samedi Dimanche Janvier Février Mars Avril Mai Juin Juillet Août Septembre Octobre
Novembre Décembre
"""))

# Words that make a capitalised run an organisation or a place rather than a person.
ORG_WORDS = frozenset(_words("""
Organization Organisation Forces Force State States Institute Ministry Party Army Council
Committee Agency Group Union Front Movement Brigades Brigade Guard Guards Corps Government
Parliament University Times News Post Bank Company Inc Ltd Department Office Assembly Court
League Association Foundation Alliance Coalition Mobilization Mobilisation House Pentagon
Kremlin Palace Reuters AFP Press Network Television Radio Republic Kingdom Emirates Nations
Center Centre Fund Program Programme Authority Commission Police Navy Airways Airlines Club
Journal Herald Tribune Review Monitor Daily Weekly Gulf Middle East West North South Sea River
Street Square Road City Province Governorate Region Ministère Gouvernement Parti Armée Conseil
Institut Assemblée Nations Unies Haut Commissariat Forces Agence Presse
"""))

# Months for publication dates written out ("December 4, 2017", "4 décembre 2017").
MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
}

# Abbreviations whose period does not end a sentence.
ABBREVIATIONS = frozenset(_words("""
Mr Mrs Ms Dr Gen Lt Col Sen Rep St Jr Sr Prof Gov Capt Maj Sgt Brig Adm Cpl No vs etc
M Mme Mlle Pr
"""))
