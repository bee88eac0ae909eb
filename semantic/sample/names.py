"""Text columns: project names, person names (Latin and Arabic script), emails and phones."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .draw import choose

_FIRST = [  # (latin, arabic, weight)
    ("Mohamed", "محمد", 9), ("Ahmed", "أحمد", 8), ("Mahmoud", "محمود", 4), ("Mostafa", "مصطفى", 4),
    ("Omar", "عمر", 3), ("Ali", "علي", 3), ("Hassan", "حسن", 2), ("Hussein", "حسين", 2),
    ("Ibrahim", "إبراهيم", 2), ("Youssef", "يوسف", 3), ("Khaled", "خالد", 3), ("Tarek", "طارق", 2),
    ("Amr", "عمرو", 3), ("Karim", "كريم", 2), ("Sherif", "شريف", 2), ("Hany", "هاني", 1.5),
    ("Hesham", "هشام", 1.5), ("Walid", "وليد", 1.5), ("Ayman", "أيمن", 1.5), ("Ashraf", "أشرف", 1.5),
    ("Tamer", "تامر", 1.5), ("Islam", "إسلام", 1.5), ("Sameh", "سامح", 1), ("Mina", "مينا", 1.5),
    ("Peter", "بيتر", 1), ("Fady", "فادي", 1), ("Bishoy", "بيشوي", 1), ("Ramy", "رامي", 1.5),
    ("Sayed", "سيد", 1), ("Adel", "عادل", 1), ("Essam", "عصام", 1), ("Yasser", "ياسر", 1),
    ("Hazem", "حازم", 1), ("Osama", "أسامة", 1), ("Ehab", "إيهاب", 1), ("Emad", "عماد", 1),
    ("Magdy", "مجدي", 1), ("Nader", "نادر", 1), ("Wael", "وائل", 1), ("Ziad", "زياد", 1.5),
    ("Seif", "سيف", 1.5), ("Marwan", "مروان", 1), ("Abdelrahman", "عبد الرحمن", 2),
    ("Abdallah", "عبد الله", 1.5), ("Gamal", "جمال", 1), ("Samir", "سمير", 1), ("Nabil", "نبيل", 1),
    ("Hamdy", "حمدي", 1), ("Reda", "رضا", 1), ("Maged", "ماجد", 1), ("Fathy", "فتحي", 0.8),
    ("Fatma", "فاطمة", 2), ("Aya", "آية", 2), ("Nour", "نور", 2), ("Mariam", "مريم", 2),
    ("Sara", "سارة", 2), ("Yasmin", "ياسمين", 1.5), ("Heba", "هبة", 1.5), ("Mona", "منى", 1.5),
    ("Dina", "دينا", 1.5), ("Rania", "رانيا", 1.5), ("Nada", "ندى", 1.5), ("Salma", "سلمى", 1.5),
    ("Hagar", "هاجر", 1), ("Asmaa", "أسماء", 1), ("Eman", "إيمان", 1.5), ("Shaimaa", "شيماء", 1),
    ("Doaa", "دعاء", 1), ("Marwa", "مروة", 1), ("Noha", "نهى", 1), ("Reem", "ريم", 1),
    ("Amira", "أميرة", 1), ("Nesma", "نسمة", 1), ("Mai", "مي", 1), ("Radwa", "رضوى", 1),
    ("Ghada", "غادة", 1), ("Hend", "هند", 1), ("Laila", "ليلى", 1), ("Nermeen", "نرمين", 1),
    ("Samar", "سمر", 1), ("Esraa", "إسراء", 1), ("Rana", "رنا", 1), ("Habiba", "حبيبة", 1),
    ("Farida", "فريدة", 1), ("Malak", "ملك", 1), ("Marina", "مارينا", 0.8), ("Christine", "كريستين", 0.6),
]
_N_MALE = 51  # _FIRST lists male names first
_LAST = [
    ("Hassan", "حسن", 4), ("Mohamed", "محمد", 5), ("Ahmed", "أحمد", 4), ("Ali", "علي", 3),
    ("Ibrahim", "إبراهيم", 3), ("Mahmoud", "محمود", 3), ("Mostafa", "مصطفى", 2), ("Abdelaziz", "عبد العزيز", 1.5),
    ("Saleh", "صالح", 1.5), ("Farouk", "فاروق", 1), ("Fahmy", "فهمي", 1), ("Shawky", "شوقي", 1),
    ("Gaber", "جابر", 1), ("Soliman", "سليمان", 1.5), ("Ramadan", "رمضان", 1.5), ("El-Sayed", "السيد", 2),
    ("Abdelrahman", "عبد الرحمن", 1.5), ("Kamal", "كمال", 1.5), ("Nasser", "ناصر", 1), ("Fouad", "فؤاد", 1),
    ("Zaki", "زكي", 1), ("Lotfy", "لطفي", 1), ("Hamed", "حامد", 1), ("Said", "سعيد", 1.5),
    ("Youssef", "يوسف", 1.5), ("Khalil", "خليل", 1), ("Salem", "سالم", 1), ("Atef", "عاطف", 1),
    ("Hegazy", "حجازي", 1), ("Sabry", "صبري", 1), ("Morsi", "مرسي", 1), ("Radwan", "رضوان", 1),
    ("Tawfik", "توفيق", 1), ("Naguib", "نجيب", 1), ("Ghoneim", "غنيم", 1), ("Shehata", "شحاتة", 1),
    ("Badawy", "بدوي", 1), ("Mansour", "منصور", 1.5), ("Amin", "أمين", 1), ("Sharaf", "شرف", 1),
    ("Helmy", "حلمي", 1), ("Hosny", "حسني", 1), ("Abdelhamid", "عبد الحميد", 1), ("El Masry", "المصري", 1.5),
    ("Mekky", "مكي", 0.8), ("Shafik", "شفيق", 0.8), ("Wahba", "وهبة", 0.8), ("Ezzat", "عزت", 1),
    ("Girgis", "جرجس", 1), ("Hanna", "حنا", 1), ("Boutros", "بطرس", 0.8), ("Labib", "لبيب", 0.8),
    ("Nasr", "نصر", 1), ("El Gohary", "الجوهري", 0.8), ("Attia", "عطية", 1), ("Khattab", "خطاب", 0.8),
    ("Saber", "صابر", 1), ("Gad", "جاد", 0.8), ("Osman", "عثمان", 1), ("Elshazly", "الشاذلي", 0.8),
]
_NICKNAMES = ["Mido", "Hamo", "Zizo", "Bob", "Sosa", "Toto", "Dodo", "Koko"]
_DOMAINS = ["example.com", "example.com", "example.com", "example.net", "example.org"]

# projects: a few famous compounds (with case variants that are distinct projects) ...
_CURATED_PROJECTS = [
    "ICity", "iCity", "Sodic East", "SODIC East", "Il Bosco", "IL Bosco",
    "Kings Way", "Bloomfields", "Mountain View iCity", "Palm Hills October", "Hyde Park",
    "Mivida", "Badya", "Sodic West", "Zed East", "Zed West", "Villette", "Taj City",
    "Madinaty", "Rehab City", "O West", "Creek Town", "Eastown", "Westown", "Allegria",
    "Cairo Festival City", "Mountain View Chillout Park", "Silver Sands", "Marassi",
    "Hacienda Bay", "Hacienda West", "Stone Park", "Swan Lake", "Lake View Residence",
    "The Crown", "Sarai", "Azha", "La Vista City", "Belle Vie", "Solana", "June",
    "Telal East", "Noor City", "Tag Sultan", "Fifth Square", "Lugar", "Bo Islands",
    "Katameya Heights", "Uptown Cairo", "Celia", "Vye", "Aliva", "Trio Gardens",
    "Il Bosco City", "Palm Hills New Cairo", "Mountain View Hyde Park", "Galleria Moon Valley",
]
# ... and many more from word lists
_PREFIX = ["Palm", "Royal", "Green", "Golden", "Sky", "Blue", "Silver", "Cedar", "Jasmine",
           "Lotus", "Ivory", "Crystal", "Olive", "Sun", "Moon", "Stone", "Amber", "Coral",
           "Pearl", "Rose", "Lake", "Nile", "Sea", "Desert", "Garden", "Grand", "Capital",
           "Sierra", "Vista", "Aurora", "Noble", "Emerald", "Sapphire", "Maple", "Orchid",
           "Horizon", "Canal", "Zayed", "Lagoon", "Azure"]
_SUFFIX = ["Hills", "Heights", "Gardens", "Residence", "Park", "Valley", "Bay", "Towers",
           "Square", "Walk", "City", "Ville", "Springs", "Terraces", "Views", "Point", "Oasis",
           "Gate", "Lagoons", "Creek", "Ridge", "Avenue", "Compound", "District", "Village",
           "Resort", "Plaza", "Court", "Island", "Breeze"]
_PLACES = ["October", "New Cairo", "Sheikh Zayed", "New Capital", "North Coast", "Ain Sokhna",
           "Mostakbal City", "Shorouk", "Sahel", "New Zayed", "5th Settlement", "West", "East",
           "6th of October", "Galala"]


def project_names(rng: np.random.Generator, n: int) -> list[str]:
    """n distinct project names: the curated ones first, then word-list combinations."""
    combos = [f"{p} {s}" for p in _PREFIX for s in _SUFFIX if p != s]
    placed = [f"{c} {pl}" for c in combos for pl in _PLACES]
    taken = set(_CURATED_PROJECTS)
    combos = [c for c in combos if c not in taken]
    placed = [c for c in placed if c not in taken]
    curated = list(_CURATED_PROJECTS[:n])
    rest = n - len(curated)
    plain_n = min(len(combos), int(round(rest * 0.6)))
    perm = rng.permutation(len(combos))
    names = curated + [combos[i] for i in perm[:plain_n]]
    pool = placed + [combos[i] for i in perm[plain_n:]]
    order = rng.permutation(len(pool))
    k = 0
    while len(names) < n:  # beyond the pool: "Kings Way 2", "Kings Way 3", ...
        base = pool[order[k % len(pool)]]
        rep = k // len(pool)
        names.append(base if rep == 0 else f"{base} {rep + 1}")
        k += 1
    return names


def person_names(rng: np.random.Generator, n: int):
    """(name, email) string arrays for n leads; names in several spellings, some in Arabic."""
    fl = pa.array([f for f, _, _ in _FIRST])
    fa = pa.array([a for _, a, _ in _FIRST])
    ll = pa.array([x for x, _, _ in _LAST])
    la = pa.array([a for _, a, _ in _LAST])
    fkey = pa.array([f.lower().replace("-", "").replace(" ", "") for f, _, _ in _FIRST])
    lkey = pa.array([x.lower().replace("-", "").replace(" ", "") for x, _, _ in _LAST])
    fi_np = choose(rng, [w for *_, w in _FIRST], n)
    fi = pa.array(fi_np)
    mi = pa.array(choose(rng, [w for *_, w in _FIRST[:_N_MALE]], n))  # father: a male name
    li = pa.array(choose(rng, [w for *_, w in _LAST], n))
    first, middle, last = fl.take(fi), fl.take(mi), ll.take(li)
    j = pc.binary_join_element_wise
    two = j(first, last, " ")
    r = rng.random(n)
    nick = pa.array(_NICKNAMES).take(pa.array(rng.integers(0, len(_NICKNAMES), n)))
    name = pc.case_when(
        pc.make_struct(pa.array(r < 0.10), pa.array(r < 0.13), pa.array(r < 0.28),
                       pa.array(r < 0.35), pa.array(r < 0.37), pa.array(r < 0.40),
                       pa.array((r < 0.402) & (fi_np < _N_MALE)), pa.array(r < 0.405), pa.array(r < 0.415),
                       field_names=list("abcdefghi")),
        j(fa.take(fi), la.take(li), " "),                  # Arabic script
        j(fa.take(fi), fa.take(mi), la.take(li), " "),
        j(first, middle, last, " "),                       # first + father + family
        pc.utf8_lower(two),
        pc.utf8_upper(two),
        first,                                             # first name only
        j(first, j(pa.scalar('"'), nick, pa.scalar('"'), ""), last, " "),  # Ahmed "Mido" Hassan (men)
        j(last, first, ", "),                              # Hassan, Ahmed
        j(two, pa.scalar(" "), ""),                        # trailing space
        two,
    )
    fk, lk = fkey.take(fi), lkey.take(li)
    r2 = rng.random(n)
    yy = pc.utf8_lpad(pa.array(rng.integers(0, 100, n)).cast(pa.string()), width=2, padding="0")
    num = pa.array(rng.integers(1, 1000, n)).cast(pa.string())
    year = pa.array(rng.integers(1965, 2007, n)).cast(pa.string())
    local = pc.case_when(
        pc.make_struct(pa.array(r2 < 0.35), pa.array(r2 < 0.50), pa.array(r2 < 0.60),
                       pa.array(r2 < 0.75), pa.array(r2 < 0.85), pa.array(r2 < 0.90),
                       field_names=list("abcdef")),
        j(j(fk, lk, "."), yy, ""),                         # ahmed.hassan87
        j(fk, lk, ""),
        j(fk, j(lk, year, ""), "_"),
        j(fk, num, ""),
        j(pc.utf8_slice_codeunits(fk, 0, 1), lk, ""),
        j(lk, fk, "."),
        j(fk, lk, "."),
    )
    dom = pa.array(_DOMAINS).take(pa.array(rng.integers(0, len(_DOMAINS), n)))
    email = j(local, dom, "@")
    return name, email


def phones(rng: np.random.Generator, n: int):
    """n phone numbers in the formats seen in the real export (~3% empty)."""
    def digits(k):
        return pc.utf8_lpad(pa.array(rng.integers(0, 10**k, n)).cast(pa.string()), width=k, padding="0")

    j = pc.binary_join_element_wise
    op = pa.array(["0", "1", "2", "5"]).take(pa.array(choose(rng, [4, 3, 2, 1], n)))
    d8 = digits(8)
    area = pa.array(rng.integers(201, 990, n)).cast(pa.string())
    exch = pa.array(rng.integers(200, 999, n)).cast(pa.string())
    line = digits(4)
    r = rng.random(n)
    return pc.case_when(
        pc.make_struct(*(pa.array(r < x) for x in (0.03, 0.52, 0.70, 0.76, 0.79, 0.81, 0.85, 0.89, 0.94, 0.97)),
                       field_names=list("abcdefghij")),
        pa.nulls(n, pa.string()),                               # empty
        j(pa.scalar("+201"), op, d8, ""),                        # +201012345678
        j(pa.scalar("01"), op, d8, ""),                          # 01012345678
        j(pa.scalar("201"), op, d8, ""),                         # 201012345678
        j(pa.scalar("+201"), op, d8, digits(1), ""),             # +2015628437879 (one digit too many)
        j(pa.scalar("00201"), op, d8, ""),                       # 00201012345678
        j(pa.scalar("+1"), area, exch, line, "-"),               # +1-615-909-5723
        j(area, exch, line, "-"),                                # 310-242-6257
        j(pa.scalar("+9665"), d8, ""),                           # Saudi mobile
        j(pa.scalar("+9715"), d8, ""),                           # UAE mobile
        j(pa.scalar("+201"), op, d8, ""),
    )
