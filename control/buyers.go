package control

import (
	"context"
	"net/http"
	"net/url"

	"github.com/roomwatch/roomwatch/app"
)

func (c *Client) Buyer(ctx context.Context, req app.BuyerRequest) (app.BuyerRecordView, error) {
	q := url.Values{"buyer": {req.Buyer}}
	if req.Platform != "" {
		q.Set("platform", req.Platform)
	}
	timeQuery(q, "now", req.Now)
	var out app.BuyerRecordView
	return out, c.call(ctx, http.MethodGet, pathBuyer, q, nil, &out)
}
