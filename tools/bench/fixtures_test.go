package bench

import (
	"time"

	"github.com/lunchbot/eventkit/events"
	"github.com/lunchbot/eventkit/sdk/avrobin"
	"github.com/lunchbot/eventkit/tools/bench/benchevents"
)

// The values every implementation encodes: the same event three ways, as
// the generated type, as the struct hamba/avro (and so avrov2 and sr.Serde)
// reads and writes, and as goavro's native map.

func sampleDeadline() *events.DeadlinePassed {
	d := events.NewDeadlinePassed()
	d.CafeID = 1042
	d.Date = avrobin.Date{Year: 2026, Month: time.November, Day: 27}
	d.Timestamp = time.Date(2026, 11, 27, 11, 30, 0, 123456000, time.UTC)
	return d
}

func sampleDaily() *events.DailyTask {
	return &events.DailyTask{
		Type:      "generate_recommendations",
		Timestamp: time.Date(2026, 11, 27, 6, 0, 0, 1000, time.UTC),
	}
}

func sampleOrder() *benchevents.OrderPlaced {
	note := "no onions, please"
	return &benchevents.OrderPlaced{
		OrderID:      "0193a1f2-7c4e-7b8a-9d3e-5f1a2b3c4d5e",
		CafeID:       1042,
		UserID:       77001234,
		UserName:     "Ada Lovelace",
		Office:       "Berlin Mitte",
		Floor:        4,
		Channel:      "slack",
		ChannelID:    "C04LUNCHBOT",
		Status:       benchevents.OrderStatusConfirmed,
		DeliveryDate: avrobin.Date{Year: 2026, Month: time.November, Day: 27},
		PlacedAt:     time.Date(2026, 11, 27, 9, 41, 7, 250000000, time.UTC),
		UpdatedAt:    time.Date(2026, 11, 27, 9, 45, 0, 1000, time.UTC),
		Items: []benchevents.OrderItem{
			{Sku: "SOUP-TOM-05", Quantity: 1, PriceCents: 450},
			{Sku: "BOWL-FAL-12", Quantity: 2, PriceCents: 1190},
			{Sku: "DRNK-LEM-03", Quantity: 1, PriceCents: 290},
		},
		DishNames:     []string{"Tomato soup", "Falafel bowl", "Lemonade"},
		Labels:        map[string]string{"diet": "vegetarian", "team": "payments"},
		TotalCents:    3120,
		DiscountCents: 200,
		Currency:      "EUR",
		Paid:          true,
		Tip:           0.1,
		Note:          &note,
		Version:       3,
	}
}

// hDeadline is the deadline event as hamba/avro maps it: a date is a
// time.Time there.
type hDeadline struct {
	Type      string    `avro:"type"`
	CafeID    int64     `avro:"cafe_id"`
	Date      time.Time `avro:"date"`
	Timestamp time.Time `avro:"timestamp"`
}

type hDaily struct {
	Type      string    `avro:"type"`
	Timestamp time.Time `avro:"timestamp"`
}

type hOrderItem struct {
	Sku        string `avro:"sku"`
	Quantity   int32  `avro:"quantity"`
	PriceCents int64  `avro:"price_cents"`
}

// hOrder is the larger record as hamba/avro maps it: the enum is its
// symbol, the date a time.Time.
type hOrder struct {
	OrderID       string            `avro:"order_id"`
	CafeID        int64             `avro:"cafe_id"`
	UserID        int64             `avro:"user_id"`
	UserName      string            `avro:"user_name"`
	Office        string            `avro:"office"`
	Floor         int32             `avro:"floor"`
	Channel       string            `avro:"channel"`
	ChannelID     string            `avro:"channel_id"`
	Status        string            `avro:"status"`
	DeliveryDate  time.Time         `avro:"delivery_date"`
	PlacedAt      time.Time         `avro:"placed_at"`
	UpdatedAt     time.Time         `avro:"updated_at"`
	Items         []hOrderItem      `avro:"items"`
	DishNames     []string          `avro:"dish_names"`
	Labels        map[string]string `avro:"labels"`
	TotalCents    int64             `avro:"total_cents"`
	DiscountCents int64             `avro:"discount_cents"`
	Currency      string            `avro:"currency"`
	Paid          bool              `avro:"paid"`
	Tip           float64           `avro:"tip"`
	Note          *string           `avro:"note"`
	Version       int32             `avro:"version"`
}

func hambaDeadline(d *events.DeadlinePassed) hDeadline {
	return hDeadline{Type: d.Type, CafeID: d.CafeID, Date: d.Date.Time(), Timestamp: d.Timestamp}
}

func hambaDaily(d *events.DailyTask) hDaily {
	return hDaily{Type: d.Type, Timestamp: d.Timestamp}
}

func hambaOrder(o *benchevents.OrderPlaced) hOrder {
	h := hOrder{
		OrderID: o.OrderID, CafeID: o.CafeID, UserID: o.UserID, UserName: o.UserName,
		Office: o.Office, Floor: o.Floor, Channel: o.Channel, ChannelID: o.ChannelID,
		Status: o.Status.String(), DeliveryDate: o.DeliveryDate.Time(),
		PlacedAt: o.PlacedAt, UpdatedAt: o.UpdatedAt,
		DishNames: append([]string{}, o.DishNames...), Labels: map[string]string{},
		TotalCents: o.TotalCents, DiscountCents: o.DiscountCents, Currency: o.Currency,
		Paid: o.Paid, Tip: o.Tip, Version: o.Version,
	}
	h.Items = []hOrderItem{}
	for _, it := range o.Items {
		h.Items = append(h.Items, hOrderItem{Sku: it.Sku, Quantity: it.Quantity, PriceCents: it.PriceCents})
	}
	for k, v := range o.Labels {
		h.Labels[k] = v
	}
	if o.Note != nil {
		n := *o.Note
		h.Note = &n
	}
	return h
}

// The goavro native forms: what goavro's NativeFromBinary returns and
// BinaryFromNative accepts.

func goavroDeadline(d *events.DeadlinePassed) map[string]any {
	return map[string]any{
		"type":      d.Type,
		"cafe_id":   d.CafeID,
		"date":      d.Date.Time(),
		"timestamp": d.Timestamp,
	}
}

func goavroDaily(d *events.DailyTask) map[string]any {
	return map[string]any{"type": d.Type, "timestamp": d.Timestamp}
}

func goavroOrder(o *benchevents.OrderPlaced) map[string]any {
	items := make([]any, 0, len(o.Items))
	for _, it := range o.Items {
		items = append(items, map[string]any{"sku": it.Sku, "quantity": it.Quantity, "price_cents": it.PriceCents})
	}
	names := make([]any, 0, len(o.DishNames))
	for _, n := range o.DishNames {
		names = append(names, n)
	}
	labels := make(map[string]any, len(o.Labels))
	for k, v := range o.Labels {
		labels[k] = v
	}
	var note any
	if o.Note != nil {
		note = map[string]any{"string": *o.Note}
	}
	return map[string]any{
		"order_id": o.OrderID, "cafe_id": o.CafeID, "user_id": o.UserID, "user_name": o.UserName,
		"office": o.Office, "floor": o.Floor, "channel": o.Channel, "channel_id": o.ChannelID,
		"status": o.Status.String(), "delivery_date": o.DeliveryDate.Time(),
		"placed_at": o.PlacedAt, "updated_at": o.UpdatedAt,
		"items": items, "dish_names": names, "labels": labels,
		"total_cents": o.TotalCents, "discount_cents": o.DiscountCents, "currency": o.Currency,
		"paid": o.Paid, "tip": o.Tip, "note": note, "version": o.Version,
	}
}
