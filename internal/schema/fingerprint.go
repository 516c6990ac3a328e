package schema

import "crypto/sha256"

// CRC64 returns the CRC-64-AVRO (Rabin) fingerprint of the Parsing
// Canonical Form.
func (p *Parsed) CRC64() uint64 { return CRC64Avro([]byte(p.canonical)) }

// SHA256 returns the SHA-256 fingerprint of the Parsing Canonical Form.
func (p *Parsed) SHA256() [32]byte { return sha256.Sum256([]byte(p.Canonical())) }

// CRC64Avro returns the CRC-64-AVRO (Rabin) fingerprint of b, as the Avro
// specification defines it.
func CRC64Avro(b []byte) uint64 {
	const empty = 0xc15d213aa4d7a795
	var table [256]uint64
	for i := range table {
		fp := uint64(i)
		for j := 0; j < 8; j++ {
			fp = (fp >> 1) ^ (empty & -(fp & 1))
		}
		table[i] = fp
	}
	fp := uint64(empty)
	for _, c := range b {
		fp = (fp >> 8) ^ table[byte(fp)^c]
	}
	return fp
}
