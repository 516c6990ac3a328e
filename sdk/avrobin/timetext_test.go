package avrobin

import (
	"testing"
	"time"
)

func TestTimeOfDayText(t *testing.T) {
	for _, c := range []struct {
		d      time.Duration
		digits int
		want   string
	}{
		{0, 3, "00:00:00.000"},
		{13*time.Hour + 45*time.Minute + 7*time.Second + 123456789, 3, "13:45:07.123"},
		{13*time.Hour + 45*time.Minute + 7*time.Second + 123456789, 6, "13:45:07.123456"},
		{9*time.Hour + 5*time.Second, 0, "09:00:05"},
		{24*time.Hour - time.Microsecond, 6, "23:59:59.999999"},
		{24 * time.Hour, 3, "24h0m0s"}, // out of range: shown, not wrapped
		{-time.Second, 3, "-1s"},
	} {
		if got := TimeOfDayText(c.d, c.digits); got != c.want {
			t.Errorf("TimeOfDayText(%v, %d) = %q, want %q", c.d, c.digits, got, c.want)
		}
	}
}
