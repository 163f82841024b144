package text_test

import (
	"testing"

	"github.com/sharecard/sharecard/render/text"
)

func TestSmartQuotes(t *testing.T) {
	cases := []struct {
		lang, in, want string
	}{
		// English: outer “ ”, inner ‘ ’, apostrophes inside and at the ends of words.
		{"en", `"Storm closes coast road," says mayor`, "“Storm closes coast road,” says mayor"},
		{"en", `It's the mayor's 'last chance'`, "It’s the mayor’s ‘last chance’"},
		{"en", `"'Hello,' he said"`, "“‘Hello,’ he said”"},
		{"en", `Thomas' book and the '90s`, "Thomas’ book and the ’90s"},
		{"en", `rock 'n' roll`, "rock ’n’ roll"},
		{"en", `A 6'5" forward`, "A 6′5″ forward"},
		{"en", `Minister: "We won't resign"`, "Minister: “We won’t resign”"},
		{"en-GB", `'Unsafe' bridge (said "closed")`, "‘Unsafe’ bridge (said “closed”)"},
		{"", `"Yes," she said`, "“Yes,” she said"},
		// Already typographic text is left as it is.
		{"en", "“Already” curly ‘quotes’ and it’s fine", "“Already” curly ‘quotes’ and it’s fine"},
		{"fr", "« Déjà » typographié", "« Déjà » typographié"},
		{"en", `It’s "mixed"`, "It’s “mixed”"},
		// German: „ “ outside, ‚ ‘ inside; the apostrophe stays ’.
		{"de", `Merz: "Wir schaffen das"`, "Merz: „Wir schaffen das“"},
		{"de", `"Er sagte 'nein'", geht's`, "„Er sagte ‚nein‘“, geht’s"},
		{"de-CH", `"Grüezi"`, "«Grüezi»"},
		// French: « » with narrow no-break spaces inside, replacing spaces typed there.
		{"fr", `Macron : "Nous agirons"`, "Macron : «\u202fNous agirons\u202f»"},
		{"fr", `" Bonjour " et l'homme`, "«\u202fBonjour\u202f» et l’homme"},
		{"fr", `"Il a dit 'non'"`, "«\u202fIl a dit “non”\u202f»"},
		// Spanish, Italian, Portuguese (Portugal and Brazil).
		{"es", `El "gran" día`, "El «gran» día"},
		{"it", `L'Italia "vince"`, "L’Italia «vince»"},
		{"pt-PT", `O "fim"`, "O «fim»"},
		{"pt-BR", `O "fim"`, "O “fim”"},
		// Russian « » with „ “ inside; Ukrainian apostrophe.
		{"ru", `Путин: "Мы 'готовы'"`, "Путин: «Мы „готовы“»"},
		{"uk", `м'ясо "свіже"`, "м’ясо «свіже»"},
		// Polish „ ”, Dutch “ ”, Czech „ “, Swedish ” ”.
		{"pl", `"Dobrze"`, "„Dobrze”"},
		{"nl", `'s Avonds "laat"`, "’s Avonds “laat”"},
		{"cs", `"Ano"`, "„Ano“"},
		{"sv", `"Ja"`, "”Ja”"},
		// Japanese and Traditional Chinese corner brackets; Simplified Chinese curly quotes.
		{"ja", `首相"辞任せず"と'強調'`, "首相「辞任せず」と『強調』"},
		{"zh-Hant", `"台灣"`, "「台灣」"},
		{"zh-Hans", `"中国"`, "“中国”"},
		{"ko", `"대한민국"`, "“대한민국”"},
		// Languages whose conventions are not known here are left alone;
		// in Hebrew " writes the gershayim of abbreviations.
		{"he", `צה"ל`, `צה"ל`},
		{"ar", `"عاجل"`, `"عاجل"`},
		{"", `"عاجل"`, `"عاجل"`},
		{"en", "no quotes at all", "no quotes at all"},
	}
	for _, tc := range cases {
		if got := text.SmartQuotes(tc.in, tc.lang); got != tc.want {
			t.Errorf("SmartQuotes(%q, %q) = %q, want %q", tc.in, tc.lang, got, tc.want)
		}
	}
}
