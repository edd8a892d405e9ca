#ifndef SENTIMENTKIT_COPENBLAS_SHIM_H
#define SENTIMENTKIT_COPENBLAS_SHIM_H
#include <cblas.h>
// Declared by OpenBLAS (not part of the CBLAS standard), used to report and set threading.
char *openblas_get_corename(void);
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif
