package loadgentest

import (
	"net"
	"testing"
)

func TestUDPTableHas(t *testing.T) {
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  120: 0100007F:80E7 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 0
  121: 00000000:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 0
  122: 0200007F:0050 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 0
`
	tests := []struct {
		port int
		want bool
	}{
		{0x80E7, true},  // 127.0.0.1
		{0x1F90, true},  // 0.0.0.0
		{0x0050, false}, // 127.0.0.2 only
		{0x80E8, false}, // not bound
		{0xE7, false},   // a suffix of another port
	}
	for _, tt := range tests {
		if got := udpTableHas(table, tt.port); got != tt.want {
			t.Errorf("port %d: got %v, want %v", tt.port, got, tt.want)
		}
	}
}

// TestUDPBoundDoesNotBind: the probe finds a bound socket, and probing a
// free port leaves it free for the peer (it never binds it itself).
func TestUDPBoundDoesNotBind(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	if !udpBound(port) {
		t.Fatalf("port %d is bound but udpBound says no", port)
	}
	pc.Close()
	if udpBound(port) {
		t.Fatalf("port %d was closed but udpBound says bound", port)
	}
}
