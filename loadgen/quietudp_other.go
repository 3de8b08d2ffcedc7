//go:build !linux

package loadgen

import (
	"errors"
	"net"
)

// quietSockets says whether this system has quiet sockets (Linux only).
const quietSockets = false

func listenQuietUDP(*net.UDPAddr, int) (udpSocket, error) {
	return nil, errors.New("quiet UDP sockets need Linux")
}

func quietTCP(c net.Conn) (net.Conn, error) { return c, nil }
