package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/contract"
	"github.com/lunchbot/eventkit/sdk/wire"
	"github.com/lunchbot/eventkit/tools/bench/benchevents"
)

type record struct {
	name     string
	event    contract.Event
	contract *contract.Contract
	wire     []byte // the eventkit serializer's bytes
	enc      []encImpl
	dec      []decImpl
}

// records returns the three records with their implementations.
func (e *env) records(tb testing.TB) []record {
	tb.Helper()
	return []record{e.deadlineRecord(tb), e.dailyRecord(tb), e.orderRecord(tb)}
}

func (e *env) deadlineRecord(tb testing.TB) record {
	ev := sampleDeadline()
	r := e.newRecord(tb, "deadline", ev)
	id := e.ids[r.contract]
	var got events.DeadlinePassed
	r.enc = append(r.enc,
		encImpl{implBody, func(dst []byte) ([]byte, error) { return ev.AppendAvro(dst) }},
		encImpl{implHand, func(dst []byte) ([]byte, error) {
			return handAppendDeadline(handHeader(dst, id), ev), nil
		}},
		encImpl{implHandBody, func(dst []byte) ([]byte, error) { return handAppendDeadline(dst, ev), nil }},
	)
	r.dec = append(r.dec,
		decImpl{name: implSerde, in: r.wire, fn: func(in []byte) error {
			got = events.DeadlinePassed{}
			_, err := e.deser.Decode(context.Background(), in, &got)
			return err
		}},
		decImpl{name: implBody, in: r.wire[wire.HeaderSize:], fn: func(in []byte) error {
			got = events.DeadlinePassed{}
			return got.UnmarshalAvro(in)
		}},
		decImpl{name: implHand, in: r.wire, fn: func(in []byte) error {
			got = events.DeadlinePassed{}
			body, err := handParse(in, id)
			if err != nil {
				return err
			}
			return handDecodeDeadline(body, &got)
		}},
		decImpl{name: implHandBody, in: r.wire[wire.HeaderSize:], fn: func(in []byte) error {
			got = events.DeadlinePassed{}
			return handDecodeDeadline(in, &got)
		}},
	)
	for i := range r.dec {
		if r.dec[i].got == nil {
			r.dec[i].got, r.dec[i].want = func() any { return &got }, ev
		}
	}
	var h hDeadline
	e.addAlternatives(tb, &r, hambaDeadline(ev), &h, func() { h = hDeadline{} }, goavroDeadline(ev))
	return r
}

func (e *env) dailyRecord(tb testing.TB) record {
	ev := sampleDaily()
	r := e.newRecord(tb, "daily", ev)
	id := e.ids[r.contract]
	var got events.DailyTask
	r.enc = append(r.enc,
		encImpl{implBody, func(dst []byte) ([]byte, error) { return ev.AppendAvro(dst) }},
		encImpl{implHand, func(dst []byte) ([]byte, error) {
			return handAppendDaily(handHeader(dst, id), ev), nil
		}},
		encImpl{implHandBody, func(dst []byte) ([]byte, error) { return handAppendDaily(dst, ev), nil }},
	)
	r.dec = append(r.dec,
		decImpl{name: implSerde, in: r.wire, fn: func(in []byte) error {
			got = events.DailyTask{}
			_, err := e.deser.Decode(context.Background(), in, &got)
			return err
		}},
		decImpl{name: implBody, in: r.wire[wire.HeaderSize:], fn: func(in []byte) error {
			got = events.DailyTask{}
			return got.UnmarshalAvro(in)
		}},
		decImpl{name: implHand, in: r.wire, fn: func(in []byte) error {
			got = events.DailyTask{}
			body, err := handParse(in, id)
			if err != nil {
				return err
			}
			return handDecodeDaily(body, &got)
		}},
		decImpl{name: implHandBody, in: r.wire[wire.HeaderSize:], fn: func(in []byte) error {
			got = events.DailyTask{}
			return handDecodeDaily(in, &got)
		}},
	)
	for i := range r.dec {
		if r.dec[i].got == nil {
			r.dec[i].got, r.dec[i].want = func() any { return &got }, ev
		}
	}
	var h hDaily
	e.addAlternatives(tb, &r, hambaDaily(ev), &h, func() { h = hDaily{} }, goavroDaily(ev))
	return r
}

func (e *env) orderRecord(tb testing.TB) record {
	ev := sampleOrder()
	r := e.newRecord(tb, "order", ev)
	id := e.ids[r.contract]
	var got benchevents.OrderPlaced
	r.enc = append(r.enc,
		encImpl{implBody, func(dst []byte) ([]byte, error) { return ev.AppendAvro(dst) }},
		encImpl{implHand, func(dst []byte) ([]byte, error) {
			return handAppendOrder(handHeader(dst, id), ev), nil
		}},
		encImpl{implHandBody, func(dst []byte) ([]byte, error) { return handAppendOrder(dst, ev), nil }},
	)
	r.dec = append(r.dec,
		decImpl{name: implSerde, in: r.wire, fn: func(in []byte) error {
			got = benchevents.OrderPlaced{}
			_, err := e.deser.Decode(context.Background(), in, &got)
			return err
		}},
		decImpl{name: implBody, in: r.wire[wire.HeaderSize:], fn: func(in []byte) error {
			got = benchevents.OrderPlaced{}
			return got.UnmarshalAvro(in)
		}},
		decImpl{name: implHand, in: r.wire, fn: func(in []byte) error {
			got = benchevents.OrderPlaced{}
			body, err := handParse(in, id)
			if err != nil {
				return err
			}
			return handDecodeOrder(body, &got)
		}},
		decImpl{name: implHandBody, in: r.wire[wire.HeaderSize:], fn: func(in []byte) error {
			got = benchevents.OrderPlaced{}
			return handDecodeOrder(in, &got)
		}},
	)
	for i := range r.dec {
		if r.dec[i].got == nil {
			r.dec[i].got, r.dec[i].want = func() any { return &got }, ev
		}
	}
	var h hOrder
	e.addAlternatives(tb, &r, hambaOrder(ev), &h, func() { h = hOrder{} }, goavroOrder(ev))
	return r
}

// newRecord starts a record with the eventkit serializer, whose bytes every
// decoder reads.
func (e *env) newRecord(tb testing.TB, name string, ev contract.Event) record {
	tb.Helper()
	r := record{name: name, event: ev, contract: ev.Contract()}
	var err error
	if r.wire, _, err = e.ser.Append(context.Background(), nil, ev); err != nil {
		tb.Fatal(err)
	}
	r.enc = append(r.enc,
		encImpl{implSerde, func(dst []byte) ([]byte, error) {
			out, _, err := e.ser.Append(context.Background(), dst, ev)
			return out, err
		}},
		encImpl{implMemcpy, func(dst []byte) ([]byte, error) {
			return append(dst, r.wire...), nil
		}},
	)
	buf := make([]byte, len(r.wire))
	r.dec = append(r.dec, decImpl{name: implMemcpy, in: r.wire,
		fn:  func(in []byte) error { copy(buf, in); return nil },
		got: func() any { return buf }, want: r.wire})
	return r
}

// newPointerTo returns a pointer to a copy of the struct in v.
func newPointerTo(v any) any {
	switch v := v.(type) {
	case hDeadline:
		return &v
	case hDaily:
		return &v
	case hOrder:
		return &v
	}
	panic(fmt.Sprintf("newPointerTo: unexpected %T", v))
}
