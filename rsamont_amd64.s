//go:build !purego

#include "textflag.h"

// func addMulVVWADX(z, x []uint, y uint) (c uint)
//
// z[i] += x[i]·y with the carry word c: MULX gives the two words of
// x[i]·y, ADCX adds the previous product's high word (carry chain CF),
// ADOX adds z[i] (carry chain OF). Four words per pass; at the end of a
// pass both carries go into c, since the loop's DECQ overwrites the flags.
TEXT ·addMulVVWADX(SB), NOSPLIT, $0-64
	MOVQ z_base+0(FP), DI
	MOVQ z_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y+48(FP), DX
	XORQ BX, BX
	XORQ R8, R8
	MOVQ CX, R9
	SHRQ $2, R9
	ANDQ $3, CX
	TESTQ R9, R9
	JZ   tail

loop4:
	XORQ  AX, AX // CF = OF = 0
	MULXQ 0(SI), R10, R11
	ADCXQ BX, R10
	ADOXQ 0(DI), R10
	MOVQ  R10, 0(DI)
	MULXQ 8(SI), R12, BX
	ADCXQ R11, R12
	ADOXQ 8(DI), R12
	MOVQ  R12, 8(DI)
	MULXQ 16(SI), R10, R11
	ADCXQ BX, R10
	ADOXQ 16(DI), R10
	MOVQ  R10, 16(DI)
	MULXQ 24(SI), R12, BX
	ADCXQ R11, R12
	ADOXQ 24(DI), R12
	MOVQ  R12, 24(DI)
	ADCXQ R8, BX
	ADOXQ R8, BX
	LEAQ  32(SI), SI
	LEAQ  32(DI), DI
	DECQ  R9
	JNZ   loop4

tail:
	TESTQ CX, CX
	JZ    done

loop1:
	XORQ  AX, AX
	MULXQ 0(SI), R10, R11
	ADCXQ BX, R10
	ADOXQ 0(DI), R10
	MOVQ  R10, 0(DI)
	MOVQ  R11, BX
	ADCXQ R8, BX
	ADOXQ R8, BX
	LEAQ  8(SI), SI
	LEAQ  8(DI), DI
	DECQ  CX
	JNZ   loop1

done:
	MOVQ BX, c+56(FP)
	RET

// func hasADXAndBMI2() bool
TEXT ·hasADXAndBMI2(SB), NOSPLIT, $0-1
	XORL AX, AX
	XORL CX, CX
	CPUID
	CMPL AX, $7
	JB   no
	MOVL $7, AX
	XORL CX, CX
	CPUID
	ANDL $0x80100, BX // BMI2 (bit 8) and ADX (bit 19)
	CMPL BX, $0x80100
	JNE  no
	MOVB $1, ret+0(FP)
	RET

no:
	MOVB $0, ret+0(FP)
	RET
