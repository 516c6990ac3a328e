package codegen

import "testing"

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"cafe_id": "CafeID", "cafeId": "CafeID", "url": "URL", "id": "ID", "DeadlinePassed": "DeadlinePassed",
		"SPADES": "Spades", "NO_TRUMP": "NoTrump", "httpStatus": "HTTPStatus", "HTTPServer": "HTTPServer",
		"user_ids": "UserIds", "a": "A", "_private": "Private", "x2y": "X2y", "md5": "Md5", "MD5": "Md5",
		"uuid": "UUID", "timestamp-millis": "TimestampMillis", "type": "Type", "ts_ms": "TsMs",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"DeadlinePassed": "deadlinePassed", "URLMap": "urlMap", "ID": "id", "X": "x"} {
		if got := lowerFirst(in); got != want {
			t.Errorf("lowerFirst(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"DeadlinePassed": "d", "Reading": "x", "Item": "x", "Vote": "x", "Order": "o"} {
		if got := receiverName(in); got != want {
			t.Errorf("receiverName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestComment(t *testing.T) {
	got := comment("One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen.\n\nSecond paragraph.", "\t")
	want := "\t// One two three four five six seven eight nine ten eleven twelve thirteen\n\t// fourteen fifteen.\n\t//\n\t// Second paragraph.\n"
	if got != want {
		t.Errorf("comment:\n%q\nwant\n%q", got, want)
	}
}
