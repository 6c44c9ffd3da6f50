package testalert

import (
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// The notifier tests' golden texts rely on these relations.
func TestMakeKeepsItsPromises(t *testing.T) {
	a := Make(rules.CancelRisk, rules.Critical, "4012345", "Blog posts")
	if a.Room.ID != "4012345" || a.Step.Room != "4012345" || a.Room.Title != "Blog posts" {
		t.Errorf("room and step name different rooms: %+v / %+v", a.Room, a.Step.Alert)
	}
	if got := a.Step.Deadline.Sub(Now); got != 3*time.Hour {
		t.Errorf("deadline is %s after Now, want 3h", got)
	}
	if !a.Step.At.Equal(Now) || !a.Step.SendAt.Equal(Now) || !a.Now.Equal(Now) {
		t.Errorf("step not sent at Now: at %s, send at %s, now %s", a.Step.At, a.Step.SendAt, a.Now)
	}
	if a.Step.Kind != rules.CancelRisk || a.Step.Severity != rules.Critical || a.Step.Alert.Severity != rules.Critical {
		t.Errorf("kind or severity not carried: %+v", a.Step)
	}
	// The buyer wrote last, so the room really has a cancel-risk alert.
	if !a.Room.BuyerMessage.After(a.Room.SellerMessage) || rules.StateOf(a.Room) != rules.StateOpen {
		t.Errorf("the room does not match a live cancel-risk: %+v", a.Room)
	}
}
