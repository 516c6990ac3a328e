package policy_test

import (
	"encoding/json"
	"testing"

	"github.com/lunchbot/eventkit/compat"
	"github.com/lunchbot/eventkit/compat/policy"
	"github.com/lunchbot/eventkit/sdk/contract"
)

// TestReportJSON pins the JSON encoding of a report, which is the json
// format of "eventctl compat check": names, order and omitted fields.
func TestReportJSON(t *testing.T) {
	against := policy.VersionRef{Version: 1, Ref: "id 7", ID: 7}
	rep := policy.Report{Schemas: []*policy.SchemaReport{{
		File: "avro/order.avsc", EventType: "order.placed", Subject: "shop.orders-value",
		Level: contract.Backward, Source: "registry http://r", Note: "a note",
		Previous:   []policy.VersionRef{against, {Version: 2, Ref: "abc1234"}},
		Registered: &policy.VersionRef{Version: 3, Ref: "id 8", ID: 8},
		Skipped:    []policy.SkippedRef{{Ref: "def5678", Reason: "does not parse"}},
		Problems: []policy.Problem{{
			File: "avro/order.avsc", Location: "/fields/1", Kind: compat.MissingUnionBranch, Message: "m", AvroMessage: "am",
			Level: contract.Backward, Direction: compat.NewReadsOld, Against: against,
			Causes: []compat.Incompatibility{{Kind: compat.TypeMismatch, Location: "/fields/1/type", Message: "cm", AvroMessage: "cam"}},
		}},
		RegistryVerdict: &policy.RegistryVerdict{Messages: []string{"no"}},
		Disagreement:    "d",
	}, {
		File: "new.avsc", Level: contract.None, Source: "files given with --old", Compatible: true,
		Previous: []policy.VersionRef{}, Problems: []policy.Problem{},
	}}}
	got, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	const want = `{
  "compatible": false,
  "schemas": [
    {
      "file": "avro/order.avsc",
      "event_type": "order.placed",
      "subject": "shop.orders-value",
      "level": "BACKWARD",
      "source": "registry http://r",
      "note": "a note",
      "compatible": false,
      "previous": [
        {
          "version": 1,
          "ref": "id 7",
          "id": 7
        },
        {
          "version": 2,
          "ref": "abc1234"
        }
      ],
      "registered": {
        "version": 3,
        "ref": "id 8",
        "id": 8
      },
      "skipped": [
        {
          "ref": "def5678",
          "reason": "does not parse"
        }
      ],
      "problems": [
        {
          "file": "avro/order.avsc",
          "location": "/fields/1",
          "kind": "MISSING_UNION_BRANCH",
          "message": "m",
          "avro_message": "am",
          "level": "BACKWARD",
          "direction": "new-reads-old",
          "against": {
            "version": 1,
            "ref": "id 7",
            "id": 7
          },
          "causes": [
            {
              "kind": "TYPE_MISMATCH",
              "location": "/fields/1/type",
              "message": "cm",
              "avro_message": "cam"
            }
          ]
        }
      ],
      "registry_verdict": {
        "compatible": false,
        "messages": [
          "no"
        ]
      },
      "disagreement": "d"
    },
    {
      "file": "new.avsc",
      "level": "NONE",
      "source": "files given with --old",
      "compatible": true,
      "previous": [],
      "problems": []
    }
  ]
}`
	if string(got) != want {
		t.Errorf("JSON:\n%s\nwant:\n%s", got, want)
	}
}

func TestVersionRefLabel(t *testing.T) {
	for _, tt := range []struct {
		ref  policy.VersionRef
		want string
	}{
		{policy.VersionRef{Version: 1, File: "v1.avsc"}, "v1.avsc"},
		{policy.VersionRef{Version: 2, Ref: "id 7", ID: 7}, "registered version 2 (id 7)"},
		{policy.VersionRef{Version: 3, Ref: "abc1234"}, "version 3 at abc1234"},
		{policy.VersionRef{Version: 4}, "version 4"},
	} {
		if got := tt.ref.Label(); got != tt.want {
			t.Errorf("%+v.Label() = %q, want %q", tt.ref, got, tt.want)
		}
	}
}
