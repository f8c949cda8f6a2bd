"""The documents' vocabulary in Arabic and Persian, keyed by the folded Vietnamese term: a bilingual word
list for finding an Arabic or Persian article from a Vietnamese or English question.

e5 carries meaning across languages, but coarsely: a Vietnamese question about the National Assembly
chairman at a review conference finds the Arabic article on that conference, not its paragraph that
names him. Words say which paragraph, and words only compare within a language, so the question's terms
are put into the article's language first (dictionary query translation). The list is the vocabulary of
the documents' kinds (offices and roles, acts, science and technology, digital transformation, time,
tasks and their progress), not of particular questions. English questions reach it through the English
glossary (retrieval/glossary.py), which gives their Vietnamese terms.

Arabic words are compared without short vowels, with one alef, ya and ta marbuta, and without the
clitics written onto them (و، ف، ب، ك، ل، ال): "والتكنولوجيا" meets "التكنولوجيا" and "تكنولوجيا".
"""

from __future__ import annotations

import re

from retrieval.text import fold, number_free, word_pairs

# folded Vietnamese term → its Arabic and Persian renderings (as the articles write them; variants listed)
BRIDGE: dict[str, tuple[str, ...]] = {
    # roles
    "tong bi thu": ("الأمين العام", "دبیرکل"),
    "thu tuong": ("رئيس الوزراء", "نخست وزیر"),
    "pho thu tuong": ("نائب رئيس الوزراء", "معاون نخست وزیر"),
    "chu tich quoc hoi": ("رئيس الجمعية الوطنية", "رئیس مجلس ملی"),
    "chu tich": ("رئيس", "رئیس"),
    "pho chu tich": ("نائب رئيس", "معاون رئیس"),
    "truong ban": ("رئيس اللجنة", "رئیس کمیته"),
    "pho truong ban": ("نائب رئيس اللجنة", "معاون رئیس کمیته"),
    "thuong truc ban bi thu": ("العضو الدائم في الأمانة العامة", "عضو دائم دبیرخانه"),
    "ban bi thu": ("الأمانة العامة", "دبیرخانه"),
    "bo chinh tri": ("المكتب السياسي", "دفتر سیاسی"),
    "uy vien bo chinh tri": ("عضو المكتب السياسي", "عضو دفتر سیاسی"),
    "uy vien": ("عضو", "عضو"),
    "bi thu": ("سكرتير", "أمين", "دبیر"),
    "bi thu thanh uy": ("سكرتير لجنة الحزب", "أمين لجنة الحزب", "دبیر کمیته حزبی"),
    "bi thu tinh uy": ("سكرتير لجنة الحزب الإقليمية", "أمين لجنة الحزب", "دبیر کمیته حزبی استان"),
    "lanh dao": ("قادة", "القيادة", "رهبران", "رهبری"),
    "bo truong": ("وزير", "وزیر"),
    "dong chi": ("الرفيق", "الرفاق", "رفیق", "رفقا"),
    "chuyen gia": ("الخبراء", "خبراء", "متخصصان"),
    "nha khoa hoc": ("العلماء", "دانشمندان"),
    "doanh nhan": ("رجال الأعمال", "کارآفرینان"),
    "kieu bao": ("الفيتناميين في الخارج", "ویتنامی های خارج"),
    # bodies
    "ban chi dao": ("اللجنة التوجيهية", "كمیته راهبری", "کمیته راهبری"),
    "ban chi dao trung uong": ("اللجنة التوجيهية المركزية", "کمیته مرکزی راهبری", "کمیته راهبری مرکزی"),
    "ban chi dao cua chinh phu": ("اللجنة التوجيهية الحكومية", "اللجنة التوجيهية للحكومة"),
    "chinh phu": ("الحكومة", "حكومة", "دولت"),
    "quoc hoi": ("الجمعية الوطنية", "مجلس ملی"),
    "trung uong": ("المركزية", "المركزي", "مرکزی"),
    "dang": ("الحزب", "حزب"),
    "dang uy": ("لجنة الحزب", "کمیته حزبی"),
    "thanh uy": ("لجنة الحزب بالمدينة", "لجنة الحزب في هانوي", "حزب هانوي", "کمیته حزبی هانوی"),
    "tinh uy": ("لجنة الحزب الإقليمية", "کمیته حزبی استان"),
    "ban chap hanh trung uong": ("لجنة الحزب المركزية", "کمیته مرکزی حزب"),
    "van phong trung uong dang": ("المكتب المركزي للحزب", "دفتر کمیته مرکزی حزب"),
    "mat tran to quoc": ("جبهة الوطن", "جبهه میهن"),
    "uy ban nhan dan": ("لجنة الشعب", "کمیته مردمی"),
    "hoi dong tu van quoc gia": ("المجلس الاستشاري الوطني", "شورای مشورتی ملی"),
    "to cong tac": ("فريق العمل", "مجموعة العمل", "گروه کاری"),
    "co quan thuong truc": ("الوكالة الدائمة", "المكتب الدائم", "نهاد دائمی"),
    "thuong truc": ("الدائمة", "الدائم", "دائمی"),
    "bo": ("وزارة", "الوزارات", "وزارت", "وزارتخانه"),
    "bo nganh": ("الوزارات والفروع", "الوزارات والقطاعات", "وزارتخانه ها و شعب"),
    "dia phuong": ("المحليات", "المحلي", "المحلية", "محلی"),
    "bo cong an": ("وزارة الأمن العام", "وزارت امنیت عمومی"),
    "bo khoa hoc va cong nghe": ("وزارة العلوم والتكنولوجيا", "وزارت علوم و فناوری"),
    "bo noi vu": ("وزارة الداخلية", "وزارت کشور"),
    "bo tai chinh": ("وزارة المالية", "وزارت دارایی"),
    "bo giao duc va dao tao": ("وزارة التعليم والتدريب", "آموزش و پرورش"),
    "bo cong thuong": ("وزارة الصناعة والتجارة", "صنعت و تجارت"),
    "bo tu phap": ("وزارة العدل", "دادگستری"),
    "bo xay dung": ("وزارة البناء", "عمران"),
    "tinh": ("مقاطعة", "المقاطعات", "استان"),
    "thanh pho": ("المدينة", "المدن", "شهر"),
    "xa phuong": ("البلديات والأحياء", "کمون ها و بخش ها"),
    "xa": ("البلديات", "البلدية", "کمون"),
    "ha noi": ("هانوي", "هانوی"),
    "gia lai": ("جيا لاي", "گیا لای"),
    "viet nam": ("فيتنام", "الفيتنامية", "ویتنام"),
    "doanh nghiep": ("الشركات", "الشركة", "شرکت", "شرکت ها"),
    "nguoi dan": ("الأفراد", "الناس", "المواطنين", "مردم"),
    "vien truong": ("المعاهد والمدارس", "المعاهد", "دانشگاه"),
    # meetings and documents
    "hoi nghi": ("المؤتمر", "مؤتمر", "کنفرانس"),
    "phien hop": ("الاجتماع", "اجتماع", "جلسه"),
    "so ket": ("مراجعة", "المراجعة", "بررسی"),
    "tong ket": ("الملخص", "خلاصه"),
    "truc tuyen": ("عبر الإنترنت", "آنلاین"),
    "nghi quyet": ("القرار", "قرار", "قطعنامه"),
    "nghi quyet 57": ("القرار رقم 57", "قطعنامه 57"),
    "thong bao ket luan": ("إشعار الاستنتاج", "الإعلان", "اطلاعیه"),
    "ket luan": ("الاستنتاج", "ختام", "نتیجه"),
    "ke hoach": ("خطة", "الخطة", "برنامه"),
    "de an 06": ("المشروع 06", "پروژه 06"),
    "de an": ("المشروع", "پروژه"),
    "bao cao": ("تقرير", "تقريرا", "التقرير", "گزارش"),
    "phat bieu": ("كلمته", "كلمة", "سخنرانی"),
    "chu tri": ("ترأس", "ریاست"),
    # science, technology, digital transformation
    "khoa hoc cong nghe": ("العلوم والتكنولوجيا", "العلم والتكنولوجيا", "علوم و فناوری", "علم و فناوری"),
    "khoa hoc": ("العلوم", "العلم", "علوم", "علم"),
    "cong nghe": ("التكنولوجيا", "تكنولوجيا", "فناوری"),
    "doi moi sang tao": ("الابتكار", "نوآوری"),
    "sang tao": ("الإبداع", "الابتكار", "خلاقیت"),
    "chuyen doi so": ("التحول الرقمي", "تحول دیجیتال"),
    "ha tang so": ("البنية التحتية الرقمية", "زیرساخت دیجیتال"),
    "ha tang": ("البنية التحتية", "زیرساخت"),
    "du lieu": ("البيانات", "بيانات", "داده"),
    "co so du lieu": ("قاعدة بيانات", "قواعد البيانات", "قاعدة البيانات", "پایگاه داده"),
    "co so du lieu quoc gia ve dan cu": ("قاعدة بيانات السكان الوطنية", "پایگاه داده ملی جمعیت"),
    "trung tam du lieu quoc gia": ("مركز البيانات الوطني", "مرکز داده ملی"),
    "trung tam du lieu": ("مركز البيانات", "مرکز داده"),
    "dich vu cong truc tuyen": ("الخدمات العامة عبر الإنترنت", "خدمات عمومی آنلاین"),
    "dich vu cong": ("الخدمات العامة", "خدمات عمومی"),
    "thu tuc hanh chinh": ("الإجراءات الإدارية", "رویه های اداری"),
    "cai cach hanh chinh": ("إصلاح الإجراءات الإدارية", "الإصلاح الإداري", "اصلاحات اداری"),
    "cong nghe chien luoc": ("التقنيات الاستراتيجية", "فناوری استراتژیک"),
    "chien luoc": ("الاستراتيجية", "استراتژیک"),
    "phong thi nghiem": ("المختبرات", "مختبر", "آزمایشگاه"),
    "so huu tri tue": ("الملكية الفكرية", "الملكية الصناعية", "مالکیت معنوی"),
    "kinh te so": ("الاقتصاد الرقمي", "اقتصاد دیجیتال"),
    "kinh te xanh": ("الاقتصاد الأخضر", "اقتصاد سبز"),
    "kinh te tuan hoan": ("الاقتصاد الدائري", "اقتصاد چرخشی"),
    "tang truong": ("النمو", "رشد"),
    "dong luc": ("محركات", "محرك", "القوة الدافعة", "محرک"),
    "dong luc tang truong": ("محركات النمو", "محرك النمو", "موتور رشد"),
    "nen tang": ("المنصات", "منصة", "پلتفرم"),
    "he thong thong tin": ("أنظمة المعلومات", "نظام المعلومات", "سامانه اطلاعاتی"),
    "ket noi chia se": ("الاتصال والتشارك", "اشتراک گذاری"),
    "the che": ("المؤسسات", "نهادها"),
    "chinh sach": ("السياسات", "سیاست"),
    "co che": ("آلية", "سازوکار"),
    "diem nghen": ("العوائق", "الاختناقات", "موانع"),
    "vuong mac": ("الصعوبات", "مشکلات"),
    "nguon luc": ("الموارد", "منابع"),
    "kinh phi": ("التمويل", "الأموال", "بودجه"),
    "ngan sach": ("الميزانية", "بودجه"),
    "ty dong": ("مليار دونج", "میلیارد دونگ"),
    "dao tao": ("التدريب", "آموزش"),
    "nhan luc": ("الموارد البشرية", "نیروی انسانی"),
    "can bo": ("الكوادر", "كوادر", "کارکنان"),
    # duties, progress, results
    "nhiem vu": ("المهام", "مهمة", "مهام", "وظیفه", "وظایف"),
    "giai phap": ("الحلول", "راه حل"),
    "ket qua": ("النتائج", "نتائج", "نتایج"),
    "hoan thanh": ("أنجزت", "إنجازها", "تم إنجاز", "تکمیل"),
    "dung han": ("في الوقت المحدد", "به موقع"),
    "cham": ("متأخرة", "بطء", "بطيء", "تأخیر"),
    "qua han": ("متأخرة", "تأخر", "سررسید گذشته"),
    "tien do": ("التقدم", "پیشرفت"),
    "ty le": ("معدل", "نسبة", "نرخ"),
    "trien khai": ("تنفيذ", "نشر", "اجرا", "استقرار"),
    "thuc hien": ("تنفيذ", "تطبيق", "اجرای"),
    "ky cuong": ("الانضباط", "انضباط"),
    "trach nhiem": ("المسؤولية", "مسئولیت"),
    "yeu cau": ("طلب", "يطالب", "المتطلبات", "متطلبات", "الزامات"),
    "nhan manh": ("أكد", "تأكيد"),
    "danh gia": ("تقييم", "أشاد", "ارزیابی"),
    "kiem tra giam sat": ("التفتيش والرقابة", "نظارت"),
    "thach thuc": ("تحد", "التحديات", "تحديات", "چالش"),
    "co hoi": ("فرصة", "الفرص", "فرصت"),
    "bien thach thuc thanh co hoi": ("تحويل كل تحد إلى فرصة", "إلى فرصة"),
    "thoi gian": ("الوقت", "زمان"),
    "thoi gian la vang": ("الوقت من ذهب", "زمان طلاست"),
    "vang": ("ذهب", "طلا"),
    "tinh than": ("بروح", "روح"),
    "doan ket": ("التضامن", "همبستگی"),
    "truyen thong": ("التقاليد", "تقاليد", "سنت"),
    "bat kip": ("اللحاق بالركب", "همگام"),
    "cao hon": ("أعلى", "بالاتر"),
    "ngay cang": ("متزايد", "بشكل متزايد", "روزافزون"),
    "dan so": ("السكان", "جمعیت"),
    "dinh danh dien tu": ("الهوية الإلكترونية", "هویت الکترونیکی"),
    "giao duc": ("التعليم", "آموزش"),
    "y te": ("الصحة", "بهداشت"),
    "an ninh": ("الأمن", "امنیت"),
    "quoc phong": ("الدفاع", "دفاع"),
    # time
    "quy i": ("الربع الأول", "سه ماهه اول"),
    "quy ii": ("الربع الثاني", "سه ماهه دوم"),
    "quy iii": ("الربع الثالث", "سه ماهه سوم"),
    "quy iv": ("الربع الرابع", "سه ماهه چهارم"),
    "thang 1": ("يناير", "ژانویه"),
    "thang 2": ("فبراير", "فوریه"),
    "thang 3": ("مارس", "مارس"),
    "thang 4": ("أبريل", "آوریل"),
    "thang 5": ("مايو", "مه"),
    "thang 6": ("يونيو", "ژوئن"),
    "thang 7": ("يوليو", "ژوئیه"),
    "thang 8": ("أغسطس", "اوت"),
    "thang 9": ("سبتمبر", "سپتامبر"),
    "thang 10": ("أكتوبر", "اکتبر"),
    "thang 11": ("نوفمبر", "نوامبر"),
    "thang 12": ("ديسمبر", "دسامبر"),
    "cuoi nam": ("نهاية العام", "نهاية عام", "پایان سال"),
    "nam 2025": ("عام 2025", "سال 2025"),
    "nam 2026": ("عام 2026", "سال 2026"),
}

# Clitics written onto an Arabic word: a conjunction, a preposition, the article ("وبالتحول", "للجنة").
_CLITICS = re.compile(r"^(?:[وف]?(?:[بكل]?ال|لل)|[وف][بكل]?|[بكل])(?=\w{3})")
_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640\u200d]")  # short vowels, tatweel, the joiner
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه", "ۀ": "ه", "ک": "ك"})
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_WORD = re.compile(r"\w+")


def arabic_words(text: str) -> str:
    """Arabic or Persian text as comparable words joined by spaces (marks, letter forms, clitics, digits)."""
    text = _MARKS.sub("", text).replace("\u200c", " ").translate(_LETTERS).translate(_DIGITS)
    return " ".join(_bare(w) for w in _WORD.findall(text))


def _bare(word: str) -> str:
    """A word without what may be clitics, taken off until none is left: a root's own first letter may look
    like one ("وزارة", "لجنة"), so a word and its prefixed form ("ووزارة", "للجنة") meet only when both
    lose it."""
    while (bare := _CLITICS.sub("", word)) != word:
        word = bare
    return word


# Plurals not made with a suffix, of the nouns the articles count ("المهام" of "مهمة"): by their singular.
_BROKEN_PLURALS = {"مهام": "مهمه", "قري": "قريه"}
# Endings of number, case and the feminine, longest first: "المندوبين", "مندوبًا" and "مندوب" are one noun.
_ENDINGS = ("هاي", "ين", "ون", "ات", "ان", "ها", "ا", "ه")


def arabic_stem(word: str) -> str:
    """An Arabic or Persian noun as counted things are compared: without clitics, marks and the endings of number
    and case (a light stem: "المندوبين" and "مندوبًا" are "مندوب", "المهام" and "مهمة" are "مهم")."""
    bare = _bare(_MARKS.sub("", word).translate(_LETTERS))
    bare = _BROKEN_PLURALS.get(bare, bare)
    for ending in _ENDINGS:
        if bare.endswith(ending) and len(bare) - len(ending) >= 3:
            return bare[: -len(ending)]
    return bare


# Each term's renderings as comparable words, longest first within a term.
_RENDERED: dict[str, tuple[str, ...]] = {
    term: tuple(sorted({f" {arabic_words(r)} " for r in renderings}, key=len, reverse=True))
    for term, renderings in BRIDGE.items()
}
_TERMS = sorted(BRIDGE, key=lambda t: -len(t.split()))


def bridged_terms(folded: str) -> list[str]:
    """The terms of a folded Vietnamese text that the list renders, longest first; a term inside a longer
    one found ("chu tich" in "chu tich quoc hoi") is not counted again."""
    text = f" {re.sub(r'[^a-z0-9]+', ' ', fold(folded))} "
    out: list[str] = []
    for term in _TERMS:
        if f" {term} " in text:
            out.append(term)
            text = text.replace(f" {term} ", " | ")
    return out


def holds(words: str, term: str) -> bool:
    """Whether comparable Arabic/Persian words (from `arabic_words`) hold one of a term's renderings."""
    padded = f" {words} "
    return any(r in padded for r in _RENDERED[term])


def held_terms(words: str, terms: list[str]) -> list[str]:
    """The terms (folded Vietnamese) whose renderings comparable Arabic/Persian words hold: what a passage in
    that script says of a question, in the question's words."""
    return [t for t in terms if holds(words, t)]


def rendered_words(text: str, terms: list[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """An Arabic or Persian text's words and word pairs as a question's are compared with them: the words of the
    question's terms (folded Vietnamese) it renders, and its numbers, which compare across scripts ("34 مقاطعة",
    "۲۰۲۵")."""
    said = arabic_words(text)
    held = held_terms(said, terms)
    numbers = {number_free(w) for w in said.split() if w.isascii() and w.isdigit()}
    return {w for t in held for w in t.split()} | numbers, {p for t in held for p in word_pairs(t)}
