/* AWS Query answers (IAM, STS) go through xml_parse before anything reads
 * them; the tree must also survive the lookups the callers make. */
#include "fuzz.h"
#include "util/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xml_node *root = NULL;
    sc_error err = {0};
    if (xml_parse((const char *)data, size, &root, &err) == ST_OK && root) {
        (void)xml_text(root, "GetCallerIdentityResult/Account");
        (void)xml_find(root, "Code");
        (void)xml_path(root, "Error/Message");
    }
    xml_free(root);
    return 0;
}
