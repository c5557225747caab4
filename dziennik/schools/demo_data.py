"""Data for the demo school: Polish names, streets and the primary-school curriculum.

The subjects per level follow the framework curriculum of the Polish primary school
(ramowy plan nauczania): integrated early education in classes 1–3, separate subjects
from class 4, a second foreign language, chemistry and physics from class 7, civics
(WOS) and safety education (EDB) in class 8.
"""

from __future__ import annotations

from dataclasses import dataclass

FEMALE_FIRST_NAMES = (
    "Zofia",
    "Zuzanna",
    "Hanna",
    "Julia",
    "Maja",
    "Laura",
    "Oliwia",
    "Alicja",
    "Pola",
    "Lena",
    "Maria",
    "Amelia",
    "Wiktoria",
    "Helena",
    "Antonina",
    "Emilia",
    "Iga",
    "Natalia",
    "Gabriela",
    "Aleksandra",
    "Liliana",
    "Jagoda",
    "Michalina",
    "Łucja",
    "Ksenia",
    "Róża",
    "Małgorzata",
    "Agnieszka",
    "Katarzyna",
    "Magdalena",
    "Joanna",
    "Ewa",
    "Dorota",
    "Beata",
    "Grażyna",
    "Elżbieta",
    "Bożena",
    "Jadwiga",
    "Urszula",
    "Halina",
    "Teresa",
    "Krystyna",
    "Monika",
    "Karolina",
    "Paulina",
    "Marta",
    "Barbara",
    "Renata",
    "Żaneta",
)
MALE_FIRST_NAMES = (
    "Antoni",
    "Jan",
    "Aleksander",
    "Franciszek",
    "Jakub",
    "Szymon",
    "Filip",
    "Ignacy",
    "Leon",
    "Stanisław",
    "Mikołaj",
    "Wojciech",
    "Kacper",
    "Adam",
    "Michał",
    "Tymon",
    "Bartosz",
    "Marcel",
    "Wiktor",
    "Nikodem",
    "Józef",
    "Tadeusz",
    "Kazimierz",
    "Łukasz",
    "Paweł",
    "Piotr",
    "Tomasz",
    "Krzysztof",
    "Marek",
    "Andrzej",
    "Grzegorz",
    "Rafał",
    "Dariusz",
    "Sławomir",
    "Zbigniew",
    "Jerzy",
    "Maciej",
    "Przemysław",
    "Witold",
    "Bogdan",
)
# (masculine, feminine) forms of surnames.
LAST_NAMES = (
    ("Nowak", "Nowak"),
    ("Kowalski", "Kowalska"),
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"),
    ("Mazur", "Mazur"),
    ("Kwiatkowski", "Kwiatkowska"),
    ("Krawczyk", "Krawczyk"),
    ("Piotrowski", "Piotrowska"),
    ("Grabowski", "Grabowska"),
    ("Nowakowski", "Nowakowska"),
    ("Pawłowski", "Pawłowska"),
    ("Michalski", "Michalska"),
    ("Nowicki", "Nowicka"),
    ("Adamczyk", "Adamczyk"),
    ("Dudek", "Dudek"),
    ("Zając", "Zając"),
    ("Wieczorek", "Wieczorek"),
    ("Jabłoński", "Jabłońska"),
    ("Król", "Król"),
    ("Majewski", "Majewska"),
    ("Olszewski", "Olszewska"),
    ("Jaworski", "Jaworska"),
    ("Wróbel", "Wróbel"),
    ("Malinowski", "Malinowska"),
    ("Pawlak", "Pawlak"),
    ("Witkowski", "Witkowska"),
    ("Walczak", "Walczak"),
    ("Stępień", "Stępień"),
    ("Górski", "Górska"),
    ("Rutkowski", "Rutkowska"),
    ("Michalak", "Michalak"),
    ("Sikora", "Sikora"),
    ("Ostrowski", "Ostrowska"),
    ("Baran", "Baran"),
    ("Duda", "Duda"),
    ("Szewczyk", "Szewczyk"),
    ("Tomaszewski", "Tomaszewska"),
    ("Pietrzak", "Pietrzak"),
    ("Marciniak", "Marciniak"),
    ("Wróblewski", "Wróblewska"),
    ("Zalewski", "Zalewska"),
    ("Jakubowski", "Jakubowska"),
    ("Jasiński", "Jasińska"),
    ("Zawadzki", "Zawadzka"),
    ("Sadowski", "Sadowska"),
    ("Bąk", "Bąk"),
    ("Chmielewski", "Chmielewska"),
    ("Włodarczyk", "Włodarczyk"),
    ("Borkowski", "Borkowska"),
    ("Czarnecki", "Czarnecka"),
    ("Sawicki", "Sawicka"),
    ("Sokołowski", "Sokołowska"),
    ("Urbański", "Urbańska"),
    ("Kubiak", "Kubiak"),
    ("Maciejewski", "Maciejewska"),
    ("Szczepański", "Szczepańska"),
    ("Kucharski", "Kucharska"),
    ("Wilk", "Wilk"),
    ("Kalinowski", "Kalinowska"),
    ("Lis", "Lis"),
    ("Mazurek", "Mazurek"),
    ("Wysocki", "Wysocka"),
    ("Adamski", "Adamska"),
    ("Kaźmierczak", "Kaźmierczak"),
    ("Wasilewski", "Wasilewska"),
    ("Sobczak", "Sobczak"),
    ("Czerwiński", "Czerwińska"),
    ("Andrzejewski", "Andrzejewska"),
    ("Cieślak", "Cieślak"),
    ("Głowacki", "Głowacka"),
    ("Zakrzewski", "Zakrzewska"),
    ("Kołodziej", "Kołodziej"),
    ("Sikorski", "Sikorska"),
    ("Krajewski", "Krajewska"),
    ("Gajewski", "Gajewska"),
    ("Szulc", "Szulc"),
    ("Szymczak", "Szymczak"),
    ("Baranowski", "Baranowska"),
    ("Laskowski", "Laskowska"),
    ("Brzeziński", "Brzezińska"),
    ("Makowski", "Makowska"),
    ("Ziółkowski", "Ziółkowska"),
    ("Przybylski", "Przybylska"),
    ("Żak", "Żak"),
    ("Śliwiński", "Śliwińska"),
    ("Łuczak", "Łuczak"),
    ("Żurawski", "Żurawska"),
)
STREETS = (
    "ul. Wiśniowa",
    "ul. Grójecka",
    "ul. Puławska",
    "ul. Żelazna",
    "ul. Słowackiego",
    "ul. Mickiewicza",
    "ul. Kościuszki",
    "ul. Piękna",
    "ul. Różana",
    "ul. Łowicka",
    "ul. Spacerowa",
    "ul. Źródlana",
    "ul. Ogrodowa",
    "ul. Lipowa",
    "ul. Świętokrzyska",
    "al. Niepodległości",
    "ul. Chłodna",
    "ul. Grzybowska",
    "ul. Bracka",
    "ul. Nowogrodzka",
)
BIRTH_PLACES = ("Warszawa",) * 8 + ("Pruszków", "Piaseczno", "Radom", "Siedlce", "Płock", "Łódź")

SCHOOL_PATRONS = (
    "Janusza Korczaka",
    "Marii Skłodowskiej-Curie",
    "Marii Konopnickiej",
    "Jana Pawła II",
    "Henryka Sienkiewicza",
    "Adama Mickiewicza",
    "Juliusza Słowackiego",
    "Tadeusza Kościuszki",
    "Kornela Makuszyńskiego",
    "Ireny Sendlerowej",
    "Polskich Olimpijczyków",
    "Bolesława Prusa",
)

# Teacher specialisms: which subjects one teacher of the kind teaches and how many
# teaching units (a class, or a group for group subjects) one teacher takes at most.
EARLY_EDUCATION = "Edukacja wczesnoszkolna"
POLISH = "Język polski"
MATHS = "Matematyka"
ENGLISH = "Język angielski"
GERMAN = "Język niemiecki"
HISTORY = "Historia"
NATURE = "Przyroda"
BIOLOGY = "Biologia"
GEOGRAPHY = "Geografia"
CHEMISTRY = "Chemia"
PHYSICS = "Fizyka"
COMPUTING = "Informatyka"
TECHNOLOGY = "Technika"
ART = "Plastyka"
MUSIC = "Muzyka"
PE = "Wychowanie fizyczne"
RELIGION = "Religia"
ETHICS = "Etyka"
CLASS_HOUR = "Zajęcia z wychowawcą"
CIVICS = "Wiedza o społeczeństwie"
SAFETY = "Edukacja dla bezpieczeństwa"


@dataclass(frozen=True)
class SubjectInfo:
    name: str
    short_name: str
    counts_towards_average: bool = True


SUBJECTS = (
    SubjectInfo(EARLY_EDUCATION, "ed. wczesn."),
    SubjectInfo(POLISH, "j. pol."),
    SubjectInfo(MATHS, "mat."),
    SubjectInfo(ENGLISH, "j. ang."),
    SubjectInfo(GERMAN, "j. niem."),
    SubjectInfo(HISTORY, "hist."),
    SubjectInfo(CIVICS, "wos"),
    SubjectInfo(NATURE, "przyr."),
    SubjectInfo(BIOLOGY, "biol."),
    SubjectInfo(GEOGRAPHY, "geogr."),
    SubjectInfo(CHEMISTRY, "chem."),
    SubjectInfo(PHYSICS, "fiz."),
    SubjectInfo(COMPUTING, "inf."),
    SubjectInfo(TECHNOLOGY, "techn."),
    SubjectInfo(ART, "plast."),
    SubjectInfo(MUSIC, "muz."),
    SubjectInfo(PE, "wf"),
    SubjectInfo(SAFETY, "edb"),
    SubjectInfo(RELIGION, "rel."),
    SubjectInfo(ETHICS, "etyka"),
    # The class hour gets no grades.
    SubjectInfo(CLASS_HOUR, "godz. wych.", counts_towards_average=False),
)


def subjects_for_level(level: int) -> list[str]:
    """The subjects a class of ``level`` (1–8) has, per the framework curriculum."""
    if level <= 3:
        return [EARLY_EDUCATION, ENGLISH, RELIGION, ETHICS]
    names = [POLISH, MATHS, ENGLISH, HISTORY, COMPUTING, PE, RELIGION, ETHICS, CLASS_HOUR]
    if level == 4:
        names += [NATURE]
    else:
        names += [BIOLOGY, GEOGRAPHY]
    if level <= 6:
        names += [TECHNOLOGY]
    if level <= 7:
        names += [ART, MUSIC]
    if level >= 7:
        names += [GERMAN, CHEMISTRY, PHYSICS]
    if level == 8:
        names += [CIVICS, SAFETY]
    return names


# Subjects taught in groups (per class): English from class 4 in two groups, PE from
# class 7 in girls' and boys' groups, religion and ethics by the parents' choice.
ENGLISH_GROUPS = ("gr. 1 j. ang.", "gr. 2 j. ang.")
PE_GROUPS = ("WF dziewczęta", "WF chłopcy")
RELIGION_GROUP = "religia"
ETHICS_GROUP = "etyka"


@dataclass(frozen=True)
class Specialism:
    key: str
    subjects: tuple[str, ...]
    units_per_teacher: int


# In this order teachers are created; the counts give about 20 teachers for 8 classes.
SPECIALISMS = (
    Specialism("early", (EARLY_EDUCATION,), 1),
    Specialism("polish", (POLISH,), 3),
    Specialism("maths", (MATHS,), 3),
    Specialism("english", (ENGLISH,), 7),
    Specialism("german", (GERMAN,), 8),
    Specialism("history", (HISTORY, CIVICS, ETHICS), 16),
    Specialism("biology", (NATURE, BIOLOGY), 8),
    Specialism("geography", (GEOGRAPHY,), 8),
    Specialism("chemistry", (CHEMISTRY,), 8),
    Specialism("physics", (PHYSICS,), 8),
    Specialism("computing", (COMPUTING, TECHNOLOGY), 10),
    Specialism("arts", (ART, MUSIC), 10),
    Specialism("pe", (PE, SAFETY), 5),
    Specialism("religion", (RELIGION,), 10),
)
# Who is a natural class teacher of a class 4–8, in order of preference.
CLASS_TEACHER_PREFERENCE = (
    "polish",
    "history",
    "biology",
    "geography",
    "english",
    "computing",
    "maths",
    "arts",
    "chemistry",
    "physics",
    "german",
    "pe",
)
