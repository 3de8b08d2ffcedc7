package acd

// fifo is a growable ring buffer.
type fifo[T any] struct {
	buf        []T
	head, size int
}

func (f *fifo[T]) push(v T) {
	if f.size == len(f.buf) {
		n := make([]T, max(16, 2*len(f.buf)))
		for i := 0; i < f.size; i++ {
			n[i] = f.buf[(f.head+i)%len(f.buf)]
		}
		f.buf, f.head = n, 0
	}
	f.buf[(f.head+f.size)%len(f.buf)] = v
	f.size++
}

func (f *fifo[T]) front() T { return f.buf[f.head] }

func (f *fifo[T]) pop() T {
	v := f.buf[f.head]
	f.head++
	if f.head == len(f.buf) {
		f.head = 0
	}
	f.size--
	return v
}
