#!/usr/bin/python3
"""Generate icu.json: ICU's line break positions for test sentences.

Run by hand (not by the tests) with Debian's python3-icu:

    apt-get install -y python3-icu
    /usr/bin/python3 render/text/testdata/breaks/gen.py > render/text/testdata/breaks/icu.json

For every sentence it records the positions (in Unicode code points, not
counting 0 and the end) where ICU's line BreakIterator for the locale
allows a break. For Korean, ICU 72's "ko@lw=keepall" locale does not
suppress the breaks between Hangul syllables, so keep-all is applied as
CSS Text 3 defines it: ICU's breaks between two characters of the line
break classes NU, AL, AI, ID, H2, H3, JL, JV, JT (letters and digits) are
dropped; the others stay. TestBreaksMatchICU compares sharecard's break
opportunities with them.
"""
import json
import icu

SENTENCES = {
    "th": [
        "นายกรัฐมนตรีเดินทางไปประชุมที่กรุงเทพมหานคร",
        "ฝนตกหนักทำให้น้ำท่วมหลายจังหวัดในภาคเหนือ",
        "รัฐบาลประกาศมาตรการช่วยเหลือเกษตรกรทั่วประเทศ",
        "นักเรียนไทยได้รับรางวัลเหรียญทองคณิตศาสตร์โอลิมปิก",
        "ราคาน้ำมันปรับตัวสูงขึ้นเป็นสัปดาห์ที่สาม",
        "โรงพยาบาลเปิดให้บริการฉีดวัคซีนฟรีแก่ประชาชน",
        "ตลาดหลักทรัพย์แห่งประเทศไทยปิดตลาดในแดนบวก",
        "ทีมชาติไทยเอาชนะเวียดนามในการแข่งขันฟุตบอล",
    ],
    "lo": [
        "ລັດຖະບານລາວປະກາດນະໂຍບາຍໃໝ່ກ່ຽວກັບການສຶກສາ",
        "ນັກທ່ອງທ່ຽວຫຼາຍຄົນມາຢ້ຽມຢາມຫຼວງພະບາງ",
        "ຝົນຕົກໜັກເຮັດໃຫ້ນ້ຳຖ້ວມຫຼາຍແຂວງ",
        "ປະຊາຊົນລາວສະເຫຼີມສະຫຼອງບຸນປີໃໝ່",
        "ລາຄານ້ຳມັນເພີ່ມຂຶ້ນໃນອາທິດນີ້",
    ],
    "km": [
        "រដ្ឋាភិបាលកម្ពុជាបានប្រកាសគោលនយោបាយថ្មី",
        "ភ្លៀងធ្លាក់ខ្លាំងបណ្តាលឱ្យមានទឹកជំនន់នៅខេត្តជាច្រើន",
        "សិស្សានុសិស្សបានប្រឡងជាប់សញ្ញាបត្រមធ្យមសិក្សា",
        "ប្រជាពលរដ្ឋចូលរួមពិធីបុណ្យចូលឆ្នាំថ្មី",
        "តម្លៃប្រេងឥន្ធនៈបានកើនឡើងនៅសប្តាហ៍នេះ",
    ],
    "my": [
        "မြန်မာနိုင်ငံတွင်မိုးသည်းထန်စွာရွာသွန်းခဲ့သည်",
        "အစိုးရသည်ပညာရေးဆိုင်ရာမူဝါဒအသစ်ကိုကြေညာခဲ့သည်",
        "ရန်ကုန်မြို့တွင်ရေကြီးမှုဖြစ်ပွားခဲ့သည်",
        "ကျောင်းသားများသည်စာမေးပွဲဖြေဆိုခဲ့ကြသည်",
        "ဆေးရုံများတွင်ကာကွယ်ဆေးထိုးပေးနေသည်",
    ],
    "ja": [
        "東京で大雨、交通機関に乱れ。",
        "政府は新しい経済対策を発表した。",
        "「平和」を求める声が世界中で高まっている。",
        "日本代表がワールドカップで勝利（３対１）",
        "首相、来週にも訪米へ　関係強化を確認",
        "ソニーが新型ゲーム機を発売、予約が殺到",
    ],
    "ko": [
        "서울에서 대규모 집회가 열렸다",
        "정부는 새로운 경제 정책을 발표했다.",
        "한국 대표팀이 월드컵에서 승리했다",
        "국회, 예산안 처리 합의 (잠정)",
        "부산 해운대에 관광객 100만 명 몰려",
        "북한이 미사일을 발사했다고 합동참모본부가 밝혔다",
    ],
}

LOCALES = {"th": "th", "lo": "lo", "km": "km", "my": "my", "ja": "ja", "ko": "ko@lw=keepall"}


def breaks(text, locale):
    it = icu.BreakIterator.createLineInstance(icu.Locale(locale))
    it.setText(text)
    # ICU works in UTF-16 code units; convert to code point offsets.
    u16_to_cp = {}
    u = 0
    for i, ch in enumerate(text):
        u16_to_cp[u] = i
        u += 2 if ord(ch) > 0xFFFF else 1
    u16_to_cp[u] = len(text)
    out = []
    for b in it:
        cp = u16_to_cp[b]
        if 0 < cp < len(text):
            if "keepall" in locale and letter_unit(text[cp - 1]) and letter_unit(text[cp]):
                continue
            out.append(cp)
    return out


KEEPALL_CLASSES = {"NU", "AL", "AI", "ID", "H2", "H3", "JL", "JV", "JT"}


def letter_unit(ch):
    """Whether ch is a typographic letter unit for CSS word-break: keep-all."""
    v = icu.Char.getIntPropertyValue(ch, icu.UProperty.LINE_BREAK)
    name = icu.Char.getPropertyValueName(icu.UProperty.LINE_BREAK, v, icu.UPropertyNameChoice.SHORT_PROPERTY_NAME)
    return name in KEEPALL_CLASSES


def main():
    result = {"icu_version": icu.ICU_VERSION, "languages": {}}
    for lang, texts in SENTENCES.items():
        result["languages"][lang] = {
            "locale": LOCALES[lang],
            "sentences": [{"text": t, "breaks": breaks(t, LOCALES[lang])} for t in texts],
        }
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
