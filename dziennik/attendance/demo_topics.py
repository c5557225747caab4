"""Lesson topics of the demo register, from the Polish core curriculum (*podstawa
programowa*) for primary schools, in the order a school year takes them: per subject,
and per class level where a subject's content changes from year to year.

``topic(subject, level, n, per_week)`` names the n-th lesson of a class in a subject
taught ``per_week`` hours a week: the list spreads over the school year (about 36
weeks), so a topic takes several lessons, the first introducing it and the next ones
practising it (in classes 1–3, one area of integrated education after another).
"""

from __future__ import annotations

from dziennik.schools import demo_data as data

# subject -> {first level of a band: topics}; a band runs to the next band's level
TOPICS: dict[str, dict[int, list[str]]] = {
    data.POLISH: {
        4: [
            "Rodzaje zdań ze względu na cel wypowiedzi",
            "Baśń i jej cechy",
            "Rzeczownik – odmiana przez przypadki",
            "Legenda o Lechu, Czechu i Rusie",
            "Czasownik – osoba, liczba, czas",
            "Pisownia wyrazów z ó i u",
            "Opowiadanie twórcze – plan wydarzeń",
            "Przymiotnik i jego stopniowanie",
            "Mit o Demeter i Korze",
            "Wiersz – wers, strofa, rym",
            "List prywatny – zasady pisania",
            "Pisownia wyrazów z rz i ż",
            "Opis postaci",
            "Jan Brzechwa „Akademia pana Kleksa” – świat przedstawiony",
            "Związki wyrazów w zdaniu",
            "Zaproszenie i ogłoszenie",
            "Pisownia „nie” z różnymi częściami mowy",
        ],
        7: [
            "Adam Mickiewicz „Reduta Ordona” – obraz bohaterstwa",
            "Ballada jako gatunek – „Świtezianka”",
            "„Dziady” cz. II – obrzęd i jego przesłanie",
            "Wypowiedzenia złożone współrzędnie",
            "Aleksander Fredro „Zemsta” – komizm postaci",
            "Rozprawka – teza, argumenty, przykłady",
            "Wypowiedzenia złożone podrzędnie",
            "Charles Dickens „Opowieść wigilijna” – przemiana Scrooge’a",
            "Henryk Sienkiewicz „Latarnik” – motyw tęsknoty za ojczyzną",
            "Imiesłowowy równoważnik zdania",
            "Charakterystyka postaci",
            "Słowotwórstwo – wyraz podstawowy i pochodny",
            "Środki stylistyczne w poezji",
            "Aleksander Kamiński „Kamienie na szaniec”",
            "Przemówienie – cechy wypowiedzi",
            "Antoine de Saint-Exupéry „Mały Książę” – symbolika",
        ],
    },
    data.MATHS: {
        4: [
            "Liczby naturalne na osi liczbowej",
            "Dodawanie i odejmowanie pisemne",
            "Mnożenie i dzielenie pisemne",
            "Kolejność wykonywania działań",
            "Potęgi o wykładniku naturalnym",
            "Proste, półproste i odcinki",
            "Kąty i ich rodzaje",
            "Ułamki zwykłe – wprowadzenie",
            "Porównywanie ułamków zwykłych",
            "Ułamki dziesiętne – zapis i odczyt",
            "Prostokąt i kwadrat – obwód",
            "Pole prostokąta i kwadratu",
            "Jednostki długości i masy",
            "Zadania tekstowe – kalendarz i zegar",
        ],
        5: [
            "Skracanie i rozszerzanie ułamków zwykłych",
            "Dodawanie i odejmowanie ułamków zwykłych",
            "Mnożenie i dzielenie ułamków zwykłych",
            "Działania na ułamkach dziesiętnych",
            "Liczby całkowite na osi liczbowej",
            "Dodawanie i odejmowanie liczb całkowitych",
            "Pole równoległoboku i rombu",
            "Pole trójkąta",
            "Pole trapezu",
            "Graniastosłupy proste – siatki",
            "Objętość prostopadłościanu",
            "Procenty – wprowadzenie",
            "Wyrażenia algebraiczne",
            "Równania pierwszego stopnia z jedną niewiadomą",
            "Prędkość, droga, czas",
            "Średnia arytmetyczna",
        ],
        7: [
            "Potęgi – działania na potęgach",
            "Pierwiastki kwadratowe i sześcienne",
            "Notacja wykładnicza",
            "Wyrażenia algebraiczne – redukcja wyrazów podobnych",
            "Równania i ich zastosowania",
            "Obliczenia procentowe",
            "Twierdzenie Pitagorasa",
            "Układ współrzędnych",
            "Proporcjonalność prosta",
            "Graniastosłupy – pole powierzchni i objętość",
            "Ostrosłupy",
            "Statystyka – odczytywanie diagramów",
            "Doświadczenia losowe i prawdopodobieństwo",
            "Symetria osiowa i środkowa",
        ],
    },
    data.HISTORY: {
        4: [
            "Czym zajmuje się historia",
            "Źródła historyczne",
            "Czas w historii – wiek i tysiąclecie",
            "Mieszko I i chrzest Polski",
            "Bolesław Chrobry i zjazd gnieźnieński",
            "Kazimierz Wielki",
            "Jadwiga i Jagiełło – unia z Litwą",
            "Mikołaj Kopernik",
            "Jan Zamoyski i Akademia Zamojska",
            "Tadeusz Kościuszko – Naczelnik Insurekcji",
            "Józef Wybicki i „Mazurek Dąbrowskiego”",
            "Romuald Traugutt i powstanie styczniowe",
        ],
        5: [
            "Pierwsze cywilizacje – Mezopotamia",
            "Starożytny Egipt",
            "Starożytny Izrael",
            "Polis ateńska – narodziny demokracji",
            "Sparta",
            "Kultura starożytnej Grecji",
            "Imperium Romanum",
            "Narodziny chrześcijaństwa",
            "Cesarstwo Bizantyjskie",
            "Arabowie i islam",
            "Państwo Franków",
            "Społeczeństwo średniowiecza",
        ],
        6: [
            "Wielkie odkrycia geograficzne",
            "Odrodzenie – humanizm",
            "Reformacja",
            "Rzeczpospolita Obojga Narodów",
            "Demokracja szlachecka",
            "Potop szwedzki",
            "Wojny z Turcją – odsiecz wiedeńska",
            "Oświecenie w Europie",
            "Konstytucja 3 maja",
            "Rozbiory Rzeczypospolitej",
        ],
        7: [
            "Rewolucja przemysłowa",
            "Epoka napoleońska",
            "Kongres wiedeński",
            "Powstanie listopadowe",
            "Wielka Emigracja",
            "Wiosna Ludów",
            "Powstanie styczniowe",
            "Praca organiczna i pozytywizm",
            "I wojna światowa",
            "Odzyskanie niepodległości w 1918 roku",
            "Walka o granice II Rzeczypospolitej",
        ],
        8: [
            "Wybuch II wojny światowej",
            "Polskie Państwo Podziemne",
            "Powstanie warszawskie",
            "Świat po II wojnie światowej",
            "Polska Ludowa – lata stalinizmu",
            "Październik 1956",
            "Marzec 1968 i Grudzień 1970",
            "Narodziny „Solidarności”",
            "Stan wojenny",
            "Okrągły Stół i wybory czerwcowe 1989",
        ],
    },
    data.EARLY_EDUCATION: {
        1: [
            "Witamy w szkole – poznajemy klasę",
            "Litera i głoska „a”",
            "Liczenie w zakresie 10",
            "Jesień w parku – obserwacje",
            "Litera i głoska „m”",
            "Dodawanie w zakresie 10",
            "Moja rodzina",
            "Litera i głoska „l”",
            "Bezpieczna droga do szkoły",
            "Odejmowanie w zakresie 10",
            "Zwierzęta przygotowują się do zimy",
            "Święta Niepodległości – symbole narodowe",
        ],
        2: [
            "Wspomnienia z wakacji – opowiadanie",
            "Dodawanie i odejmowanie w zakresie 20",
            "Rzeczowniki – nazwy osób, zwierząt i rzeczy",
            "Jesień w sadzie i ogrodzie",
            "Mnożenie w zakresie 30",
            "Pisownia wyrazów z „ó” wymiennym",
            "Pomiar długości – centymetr i metr",
            "Polskie legendy – o smoku wawelskim",
            "Zdrowe odżywianie",
            "Obliczenia zegarowe",
            "Listopadowe święta",
            "Przygotowania do zimy",
        ],
        3: [
            "Dodawanie i odejmowanie w zakresie 100",
            "Tabliczka mnożenia",
            "Części mowy – czasownik",
            "Krajobrazy Polski",
            "Dzielenie w zakresie 100",
            "Opis przedmiotu",
            "Mapa Polski – odczytywanie",
            "Obliczenia pieniężne",
            "Zdania pojedyncze i złożone",
            "Warszawa – stolica Polski",
            "Ssaki, ptaki i ryby",
            "Zadania tekstowe z kilkoma działaniami",
        ],
    },
}

# subjects whose topics do not change much from one level to the next
FLAT_TOPICS: dict[str, list[str]] = {
    data.ENGLISH: [
        "Introductions – przedstawianie się",
        "Present Simple – daily routines",
        "My family – vocabulary",
        "Can and can’t – umiejętności",
        "Present Continuous – what are you doing?",
        "Food and drinks – zamawianie jedzenia",
        "Past Simple – regular verbs",
        "Past Simple – irregular verbs",
        "Describing people – wygląd i charakter",
        "Comparatives and superlatives",
        "Going to – plany na przyszłość",
        "Christmas traditions",
    ],
    "Język niemiecki": [
        "Begrüßungen – powitania",
        "Ich und meine Familie",
        "Zahlen und Farben",
        "Meine Schule – przybory szkolne",
        "Czasowniki regularne w czasie teraźniejszym",
        "Hobbys und Freizeit",
        "Essen und Trinken",
        "Rodzajnik określony i nieokreślony",
    ],
    "Przyroda": [
        "Jak poznawać przyrodę – obserwacje i doświadczenia",
        "Kierunki geograficzne i kompas",
        "Mapa i plan – skala",
        "Składniki pogody",
        "Stany skupienia wody",
        "Organizmy i ich środowisko",
        "Budowa i higiena ciała",
        "Krajobrazy najbliższej okolicy",
    ],
    "Biologia": [
        "Biologia jako nauka",
        "Budowa komórki",
        "Wirusy i bakterie",
        "Tkanki roślinne",
        "Grzyby i porosty",
        "Mszaki i paprotniki",
        "Rośliny nasienne",
        "Układ pokarmowy człowieka",
        "Układ krążenia",
        "Układ oddechowy",
    ],
    "Geografia": [
        "Mapa – skala i legenda",
        "Współrzędne geograficzne",
        "Ruchy Ziemi i ich następstwa",
        "Krajobrazy Polski",
        "Klimat Polski",
        "Rolnictwo i przemysł w Polsce",
        "Ludność Polski",
        "Krajobrazy świata – strefy klimatyczne",
    ],
    "Chemia": [
        "Zasady bezpiecznej pracy w pracowni chemicznej",
        "Właściwości substancji",
        "Mieszaniny i ich rozdzielanie",
        "Budowa atomu",
        "Układ okresowy pierwiastków",
        "Wiązania chemiczne",
        "Reakcje chemiczne – równania",
        "Tlen i jego właściwości",
    ],
    "Fizyka": [
        "Wielkości fizyczne i jednostki",
        "Pomiary i niepewność pomiaru",
        "Budowa materii",
        "Gęstość",
        "Ciśnienie",
        "Prawo Archimedesa",
        "Ruch jednostajny prostoliniowy",
        "Zasady dynamiki Newtona",
    ],
    "Informatyka": [
        "Zasady pracy w pracowni komputerowej",
        "Algorytmy w życiu codziennym",
        "Programowanie w Scratchu – sterowanie duszkiem",
        "Edytor tekstu – formatowanie dokumentu",
        "Arkusz kalkulacyjny – proste formuły",
        "Bezpieczeństwo w internecie",
        "Grafika komputerowa",
        "Prezentacja multimedialna",
    ],
    "Technika": [
        "Bezpieczeństwo na drodze – znaki drogowe",
        "Rower – budowa i wyposażenie",
        "Materiały i ich właściwości",
        "Rysunek techniczny – linie i wymiarowanie",
        "Karta rowerowa – przepisy ruchu drogowego",
        "Urządzenia elektryczne w domu",
    ],
    "Muzyka": [
        "Hymn państwowy – śpiewamy i poznajemy historię",
        "Rytm i metrum",
        "Instrumenty perkusyjne",
        "Fryderyk Chopin – życie i twórczość",
        "Tańce narodowe – polonez",
        "Kolędy i pastorałki",
    ],
    "Plastyka": [
        "Kolor – barwy podstawowe i pochodne",
        "Linia i plama",
        "Kompozycja w sztuce",
        "Martwa natura – rysunek",
        "Faktura i fakturowanie",
        "Sztuka ludowa – wycinanki",
    ],
    data.PE: [
        "Lekkoatletyka – bieg na 60 m",
        "Lekkoatletyka – skok w dal",
        "Piłka nożna – prowadzenie piłki",
        "Piłka siatkowa – odbicie sposobem górnym",
        "Koszykówka – kozłowanie",
        "Gimnastyka – przewrót w przód",
        "Gry i zabawy ruchowe",
        "Test sprawności fizycznej",
    ],
    data.RELIGION: [
        "Bóg Stwórca świata",
        "Modlitwa w życiu chrześcijanina",
        "Przypowieści Jezusa",
        "Rok liturgiczny",
        "Adwent – czas oczekiwania",
        "Święci patronowie",
    ],
    data.ETHICS: [
        "Czym jest etyka",
        "Dobro i zło w codziennych wyborach",
        "Przyjaźń i lojalność",
        "Prawda i kłamstwo",
        "Szacunek dla innych",
        "Odpowiedzialność za słowa",
    ],
    "Wiedza o społeczeństwie": [
        "Człowiek jako istota społeczna",
        "Rodzina i jej funkcje",
        "Prawa człowieka",
        "Samorząd uczniowski",
        "Samorząd gminny",
        "Konstytucja Rzeczypospolitej Polskiej",
    ],
    "Edukacja dla bezpieczeństwa": [
        "System bezpieczeństwa państwa",
        "Zagrożenia czasu pokoju",
        "Pierwsza pomoc – ocena poszkodowanego",
        "Resuscytacja krążeniowo-oddechowa",
        "Ewakuacja szkoły",
        "Postępowanie przy krwawieniach i złamaniach",
    ],
    data.CLASS_HOUR: [
        "Wybór samorządu klasowego",
        "Zasady pracy i zachowania w klasie",
        "Bezpieczeństwo w drodze do szkoły",
        "Jak się uczyć – planowanie czasu",
        "Cyberprzemoc – jak reagować",
        "Przygotowanie do klasowej wigilii",
        "Rozmowa o frekwencji klasy",
        "Zdrowy styl życia",
    ],
}
GENERIC = ["Wprowadzenie do działu", "Ćwiczenia utrwalające", "Praca z podręcznikiem"]


WEEKS = 36
PRACTICE = ["ćwiczenia", "utrwalenie", "praca z podręcznikiem", "zadania", "podsumowanie"]
# practical subjects practise differently
PRACTICE_BY_SUBJECT = {
    data.PE: ["doskonalenie", "ćwiczenia w parach", "gra szkolna"],
    "Muzyka": ["śpiew", "gra na instrumentach", "słuchanie muzyki"],
    "Plastyka": ["praca plastyczna", "dokończenie pracy"],
    "Technika": ["praca wytwórcza", "ćwiczenia"],
    "Informatyka": ["ćwiczenia przy komputerze", "projekt"],
}
EARLY_AREAS = [
    "edukacja polonistyczna",
    "edukacja matematyczna",
    "edukacja przyrodnicza",
    "edukacja społeczna",
    "edukacja plastyczna",
    "edukacja muzyczna",
]


def _list(subject: str, level: int) -> list[str]:
    bands = TOPICS.get(subject)
    if bands:
        first = max((start for start in bands if start <= level), default=min(bands))
        return bands[first]
    return FLAT_TOPICS.get(subject, GENERIC)


def topic(subject: str, level: int, n: int, per_week: int) -> str:
    """The topic of the n-th lesson (from 1) of a class in a subject."""
    topics = _list(subject, level)
    per_topic = max(1, -(-max(1, per_week) * WEEKS // len(topics)))
    index, step = divmod(n - 1, per_topic)
    title = topics[min(index, len(topics) - 1)]
    if subject == data.EARLY_EDUCATION:
        return f"{title} – {EARLY_AREAS[step % len(EARLY_AREAS)]}"
    if step == 0:
        return title
    practice = PRACTICE_BY_SUBJECT.get(subject, PRACTICE)
    return f"{title} – {practice[(step - 1) % len(practice)]}"
