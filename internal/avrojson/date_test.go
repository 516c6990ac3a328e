package avrojson_test

import (
	"testing"

	"github.com/lunchbot/eventkit/internal/avrojson"
)

// TestEncodeDateSaysWhyItIsNoDate: a date of the right form that the
// calendar lacks is told apart from one of the wrong form.
func TestEncodeDateSaysWhyItIsNoDate(t *testing.T) {
	date := parse(t, `{"type":"int","logicalType":"date"}`)
	for _, c := range []struct{ in, want string }{
		{"2026-02-30", `date "2026-02-30": February 2026 has 28 days`},
		{"2024-02-30", `date "2024-02-30": February 2024 has 29 days`},
		{"2100-02-29", `date "2100-02-29": February 2100 has 28 days`},
		{"2026-04-31", `date "2026-04-31": April 2026 has 30 days`},
		{"2026-01-00", `date "2026-01-00": there is no day 00 (January 2026 has 31 days, 01 to 31)`},
		{"2026-13-01", `date "2026-13-01": there is no month 13 (months are 01 to 12)`},
		{"2026-00-10", `date "2026-00-10": there is no month 00 (months are 01 to 12)`},
		{"27.11.2026", `date "27.11.2026" is not YYYY-MM-DD`},
		{"2026-2-3", `date "2026-2-3" is not YYYY-MM-DD`},
		{"2026-02-3x", `date "2026-02-3x" is not YYYY-MM-DD`},
		{"+026-02-03", `date "+026-02-03" is not YYYY-MM-DD`},
	} {
		_, err := avrojson.Encode(date, []byte(`"`+c.in+`"`), avrojson.Options{})
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: %v, want %s", c.in, err, c.want)
		}
	}
	// The valid dates next to them still encode.
	for _, in := range []string{"2026-02-28", "2024-02-29", "2000-02-29", "2026-12-31"} {
		if _, err := avrojson.Encode(date, []byte(`"`+in+`"`), avrojson.Options{}); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
}
