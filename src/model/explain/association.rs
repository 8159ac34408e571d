//! Explanations for the Pod Identity `association` link: the EKS pod identity association of
//! the namespace/service account, its role, target role and owner.

use super::Explanation;
use super::docs;
use crate::model::codes;

pub const ALL: &[Explanation] = &[
    Explanation {
        code: codes::ASSOCIATION_MISSING,
        link: "association",
        summary: "no pod identity association exists for this namespace/service account",
        meaning: "Pod Identity maps a role to an exact namespace and service account name in one cluster. Without an association for the pods' namespace/service account, the webhook injects nothing and the agent has no role to hand out. An association for a similar name (a Helm release prefix such as `release-app` vs `app`) or for the same name in another namespace is silently never used.",
        detection: "The cluster's associations (ListPodIdentityAssociations) were read and none has the pods' namespace and service account. Associations with a close service account name in the namespace, or the same name elsewhere, are shown.",
        symptoms: &[
            "Unable to locate credentials",
            "User: arn:aws:sts::111122223333:assumed-role/NODE_ROLE/i-0123456789abcdef0 is not authorized to perform: ACTION",
        ],
        fix: &[
            "Create the association (it needs iam:PassRole on the role), then recreate the pods so the webhook injects the variables:",
            "$ aws eks create-pod-identity-association --cluster-name CLUSTER --namespace NAMESPACE --service-account SERVICE_ACCOUNT --role-arn arn:aws:iam::111122223333:role/ROLE_NAME",
            "$ kubectl rollout restart deployment NAME -n NAMESPACE",
            "An association cannot be renamed: to move it to another service account, delete it and create a new one.",
        ],
        docs: &[docs::POD_ID_ASSOCIATION, docs::API_CREATE_ASSOCIATION],
    },
    Explanation {
        code: codes::ASSOCIATIONS_NOT_COLLECTED,
        link: "association",
        summary: "the cluster's pod identity associations could not be read",
        meaning: "Whether an association exists for the service account is unknown: the list was not in the offline bundle, or `eks:ListPodIdentityAssociations` was denied. The association, role and trust links of Pod Identity workloads stay unknown.",
        detection: "The association list is missing from the facts or the EKS API refused it.",
        symptoms: &[
            "AccessDeniedException: User: ... is not authorized to perform: eks:ListPodIdentityAssociations on resource: arn:aws:eks:REGION:111122223333:cluster/CLUSTER",
        ],
        fix: &[
            "Allow eks:ListPodIdentityAssociations and eks:DescribePodIdentityAssociation for the identity running kubectl irsa, or add the list to the bundle:",
            "$ aws eks list-pod-identity-associations --cluster-name CLUSTER",
        ],
        docs: &[docs::POD_ID_ASSOCIATION],
    },
    Explanation {
        code: codes::ASSOCIATION_DETAIL_MISSING,
        link: "association",
        summary: "the association exists but its role was not read",
        meaning: "The association list shows an association for the service account, but its details (role ARN, target role, session tags setting, session policy) were not read, so the role it grants is unknown and the role and trust links cannot be judged.",
        detection: "The association is listed but DescribePodIdentityAssociation was not collected or was denied.",
        symptoms: &[],
        fix: &[
            "Read the association's details:",
            "$ aws eks describe-pod-identity-association --cluster-name CLUSTER --association-id ASSOCIATION_ID",
        ],
        docs: &[docs::POD_ID_ASSOCIATION],
    },
    Explanation {
        code: codes::ASSOCIATION_ADDON_OWNED,
        link: "association",
        summary: "the association is owned by an EKS add-on",
        meaning: "The association was created by an EKS add-on (its `ownerArn` names the add-on). It can only be changed through the add-on's pod identity configuration; `aws eks update-pod-identity-association` and eksctl's podidentityassociation commands refuse to change or delete it.",
        detection: "The association's `ownerArn` is set.",
        symptoms: &[],
        fix: &[
            "Change the role through the add-on:",
            "$ aws eks update-addon --cluster-name CLUSTER --addon-name ADDON --pod-identity-associations serviceAccount=SERVICE_ACCOUNT,roleArn=arn:aws:iam::111122223333:role/ROLE_NAME",
        ],
        docs: &[docs::ADD_ONS, docs::POD_ID_ASSOCIATION],
    },
    Explanation {
        code: codes::ASSOCIATION_TARGET_ROLE,
        link: "association",
        summary: "the association chains to a target role (cross-account Pod Identity)",
        meaning: "The association has a `targetRoleArn`: EKS first assumes the association's role (which must be in the cluster's account) and then, with those credentials, the target role, often in another account. The pods get the target role's credentials. Two consequences: the target role's trust policy must let the first role perform sts:AssumeRole and sts:TagSession (Pod Identity's session tags are transitive), and the agent caches these credentials for 59 minutes instead of 6 hours.",
        detection: "The association's `targetRoleArn` is set.",
        symptoms: &[
            "is not authorized to perform: sts:TagSession on resource: arn:aws:iam::444455556666:role/TARGET_ROLE",
        ],
        fix: &[
            "Nothing to fix; check the target role's trust if the chained hop fails:",
            "$ aws iam get-role --role-name TARGET_ROLE --query Role.AssumeRolePolicyDocument",
        ],
        docs: &[docs::POD_ID_TARGET_ROLE],
    },
    Explanation {
        code: codes::ASSOCIATION_RECENT,
        link: "association",
        summary: "the association changed under running pods, or pods started just after it was created",
        meaning: "Two timing problems. The Pod Identity agent caches a pod's credentials (up to 6 hours, 59 minutes with a target role) and editing the association does not reset the cache, so pods that started before the edit may still act as the previous role. And associations are eventually consistent: for a few seconds after creation EKS may not serve one yet, so a pod created in that window can come up without Pod Identity variables and stay that way. No API says when an association is ready.",
        detection: "The association's `modifiedAt` is later than its `createdAt` and later than a pod's start, or a pod was created within 10 seconds after the association's `createdAt`. Only the timestamps in the facts are compared, never the clock.",
        symptoms: &[
            "Unable to locate credentials",
            "AccessDenied for an action the new role allows (the pod still uses the old role)",
        ],
        fix: &[
            "Recreate the pods so they fetch credentials for the association as it is now:",
            "$ kubectl rollout restart deployment NAME -n NAMESPACE",
        ],
        docs: &[docs::POD_ID_HOW_IT_WORKS, docs::API_CREATE_ASSOCIATION],
    },
];
